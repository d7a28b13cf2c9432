// The page a user clicks, in a real browser (Debian's chromium through playwright-core),
// on a fresh CARAPACE_HOME. What every test file of test/e2e/ shares: the browser, a
// fixture per test, and state(): a screenshot of a state of the page at 360, 800 and
// 1280 px in test-output/screenshots/ (the whole page; the window while a dialog is open), axe-core's findings (none serious or critical
// allowed) and no element wider than the window at any width, with the figures in
// test-output/e2e/<file>.json.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { InstallEventData } from '../../src/api.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import {
  cleanUpTemporaryFolders,
  type Fixture,
  pathWithoutSky,
  startFixture,
  temporaryFolder,
} from '../support/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-output/screenshots';
const REPORTS = 'test-output/e2e';
/** Screenshots are taken at these widths; no element may be wider than the window at any of WIDTHS. */
const SHOT_WIDTHS = [360, 800, 1280];
const WIDTHS = [...SHOT_WIDTHS, 1920];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing (apt-get install chromium): the page tests cannot run`;
  if (process.env.CARAPACE_REQUIRE_ALL) throw new Error(`${message} and CARAPACE_REQUIRE_ALL is set`);
  console.warn(`SKIPPING: ${message}`);
}

interface StateReport {
  screenshots: string[];
  shows: string;
  axe: Record<string, number>;
  widest: Record<string, number>;
}

/** What a test file works with: set up by usePage() at the top of the file. */
export interface Session {
  browser: Browser;
  /** The page of the running test. */
  page: Page;
  fx: Fixture;
  /** Every URL the page asked for. */
  requests: string[];
  /** Run after the test, whatever its result. */
  closers: (() => Promise<void>)[];
  timings: Record<string, number>;
}

/** The browser for a test file, and a fixture and page per test, all closed after each. */
export function usePage(file: string): Session {
  const session = { closers: [], timings: {} } as unknown as Session;
  const states: Record<string, StateReport> = {};
  reports.set(session, states);
  beforeAll(async () => {
    if (!available) return;
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync(REPORTS, { recursive: true });
    session.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await session.browser?.close();
    if (!available) return;
    const report = { states, timings: session.timings };
    writeFileSync(
      `${REPORTS}/${basename(file).replace(/\.test\.ts$/, '')}.json`,
      `${JSON.stringify(report, null, 2)}\n`,
    );
  });
  afterEach(async () => {
    await session.page?.close();
    await session.fx?.close();
    for (const close of session.closers.splice(0)) await close();
    cleanUpTemporaryFolders();
  });
  return session;
}

const reports = new WeakMap<Session, Record<string, StateReport>>();

/** A fresh Carapace and the page opened with the link it printed (the page keeps the token for its tab). */
export async function open(
  session: Session,
  options: Parameters<typeof startFixture>[0] = {},
  before?: (f: Fixture) => Promise<void>,
): Promise<Fixture> {
  session.fx = await startFixture(options);
  await before?.(session.fx);
  session.page = await session.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  session.requests = [];
  session.page.on('request', (request) => session.requests.push(request.url()));
  await session.page.goto(session.fx.server.pageUrl);
  await session.page
    .getByRole('status')
    .first()
    .filter({ hasText: /not installed|ready/ })
    .waitFor();
  return session.fx;
}

/**
 * One state of the page: its screenshots, axe-core's violations by impact (none
 * serious or critical allowed), and no element wider than the viewport at each width.
 */
export async function state(session: Session, name: string, shows: string): Promise<void> {
  const { page } = session;
  const size = page.viewportSize() ?? { width: 1280, height: 1000 };
  const byImpact: Record<string, number> = {};
  const widest: Record<string, number> = {};
  const screenshots: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 1000 });
    if (SHOT_WIDTHS.includes(width)) {
      const path = `${SHOTS}/${name}-${width}.png`;
      // With a dialog open, what a user sees is the window: the backdrop over it, the dialog in its middle.
      // A full-page capture would show the backdrop as a band and the dialog mid-page.
      const dialog = (await page.locator('dialog[open]').count()) > 0;
      await page.screenshot({ path, fullPage: !dialog });
      screenshots.push(path);
    }
    if (width === 360 || width === 1280) {
      for (const { impact, id, where } of await axeViolations(page)) {
        byImpact[impact] = (byImpact[impact] ?? 0) + 1;
        expect(impact === 'serious' || impact === 'critical', `${name} at ${width} px: axe ${id} ${where}`).toBe(false);
      }
    }
    const overflow = await page.evaluate(() => {
      const limit = document.documentElement.clientWidth;
      const shown = (node: Node) => !node.parentElement?.closest('dialog:not([open]), [hidden]');
      const wide: string[] = [];
      // Elements, and text (a long word overflows its element without widening it).
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!shown(node)) continue;
        const range = document.createRange();
        range.selectNode(node);
        const right = range.getBoundingClientRect().right;
        if (right > limit + 0.5) wide.push(`${node.parentElement?.id || node.nodeName}: ${Math.round(right)} px`);
      }
      return { page: document.documentElement.scrollWidth, wide: wide.slice(0, 5) };
    });
    widest[width] = overflow.page;
    expect(overflow.wide, `${name} at ${width} px`).toEqual([]);
    expect(overflow.page, `${name} at ${width} px`).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize(size);
  const states = reports.get(session);
  if (states) states[name] = { screenshots, shows, axe: byImpact, widest };
}

async function axeViolations(page: Page): Promise<{ id: string; impact: string; where: string }[]> {
  // Evaluated, not added as a script tag: the page's Content-Security-Policy allows no inline script.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    type Violation = { id: string; impact: string; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run()).violations.map(({ id, impact, nodes }) => ({
      id,
      impact,
      where: nodes
        .map((node) => node.target.join(' '))
        .slice(0, 3)
        .join(', '),
    }));
  });
}

// Waiting assertions on what the page shows (vitest has no Playwright matchers).
export const POLL = { timeout: 30_000 };
export const shows = (locator: Locator, text: string | RegExp) =>
  typeof text === 'string'
    ? expect.poll(() => locator.textContent(), POLL).toContain(text)
    : expect.poll(() => locator.textContent(), POLL).toMatch(text);
export const reads = (locator: Locator, text: string) => expect.poll(() => locator.textContent(), POLL).toBe(text);
export const visible = (locator: Locator, yes = true) => expect.poll(() => locator.isVisible(), POLL).toBe(yes);

/** A fresh install's phases: the download's checksum is verified before uv installs, then sky is. */
export const FRESH_INSTALL = ['checking', 'downloading', 'verifying', 'installing', 'verifying', 'complete'];

/** The phases of the install lines in the activity log (each line keeps its own), consecutive repeats folded. */
export async function loggedPhases(page: Page): Promise<string[]> {
  const phases = await page
    .locator('#log li[data-phase]')
    .evaluateAll((lines) => lines.map((line) => line.dataset.phase));
  return phases.filter((phase): phase is string => Boolean(phase)).filter((phase, i, all) => phase !== all[i - 1]);
}

/** Records the install events the page receives, in order, with when they arrived (see installEvents). */
export async function recordInstallEvents(page: Page): Promise<void> {
  // A string, so that vitest leaves its import() alone: the page's own stream reader, with the
  // token this tab keeps.
  await page.evaluate(`(async () => {
    const seen = [];
    window.installEvents = seen;
    const { openEventStream } = await import('/stream.js');
    openEventStream('/events', {
      token: () => sessionStorage.getItem('carapace.token') ?? '',
      lastEventId: '',
      onUnauthorized: () => undefined,
      onEvent: (message) => {
        if (message.type === 'install') seen.push({ at: performance.now(), event: JSON.parse(message.data) });
      },
    });
  })()`);
}

export async function installEvents(page: Page): Promise<{ at: number; event: InstallEventData }[]> {
  return page.evaluate(
    () => (window as unknown as { installEvents: { at: number; event: InstallEventData }[] }).installEvents,
  );
}

/** A mirror that accepts connections and answers nothing. */
export async function stalledMirror(session: Session): Promise<Mirror> {
  const mirror = await startMirror();
  mirror.setFaults([{ match: '', kind: 'hang' }]);
  session.closers.push(() => mirror.close());
  return mirror;
}

/**
 * A PATH like this one without some programs (ssh, rsync): a folder of links to every
 * other program on PATH, removed with the test's temporary folders.
 */
export function pathWithout(programs: string[]): string {
  const folder = temporaryFolder('path-without');
  for (const dir of pathWithoutSky().split(':')) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (programs.includes(name) || existsSync(join(folder, name))) continue;
      symlinkSync(join(dir, name), join(folder, name));
    }
  }
  return folder;
}

/** A screenshot's width and height in pixels (a PNG's IHDR, right after its 8-byte signature). */
export function pngSize(path: string): { width: number; height: number } {
  const png = readFileSync(path);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The page's number of the bar and its text, as a user sees them. */
export async function bar(page: Page): Promise<{ value: number; text: string }> {
  return page.evaluate(() => ({
    value: (document.querySelector('#download-progress') as HTMLProgressElement).value,
    text: document.querySelector('#download-text')?.textContent ?? '',
  }));
}

/** The page's primary buttons (blue, for the next step) that show, by name. */
export async function primaryButtons(page: Page): Promise<string[]> {
  return page.$$eval('main button:not(.secondary):not(.danger)', (buttons) =>
    buttons.filter((button) => button.checkVisibility()).map((button) => button.textContent?.trim() ?? ''),
  );
}
