// The page a user clicks, in a real browser (Debian's chromium through playwright-core),
// on a fresh CARAPACE_HOME: every state a user meets, each checked by axe-core for
// accessibility and at 360, 800, 1280 and 1920 px for width, with a screenshot of each in
// test-output/screenshots/ and the figures in test-output/e2e-report.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstallEventData } from '../../src/api.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { cleanUpTemporaryFolders, type Fixture, startFixture } from '../support/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-output/screenshots';
const REPORT = 'test-output/e2e-report.json';
const WIDTHS = [360, 800, 1280, 1920];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing (apt-get install chromium): the page tests cannot run`;
  if (process.env.CARAPACE_REQUIRE_ALL) throw new Error(`${message} and CARAPACE_REQUIRE_ALL is set`);
  console.warn(`SKIPPING: ${message}`);
}

interface StateReport {
  screenshot: string;
  axe: Record<string, number>;
  widest: Record<string, number>;
}
const report: { states: Record<string, StateReport>; timings: Record<string, number> } = { states: {}, timings: {} };

let browser: Browser;
let fx: Fixture | undefined;
let page: Page;
let requests: string[];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (!available) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
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
  await browser?.close();
  if (available) writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
});

afterEach(async () => {
  await page?.close();
  await fx?.close();
  for (const close of closers.splice(0)) await close();
  fx = undefined;
  cleanUpTemporaryFolders();
});

async function open(options: Parameters<typeof startFixture>[0] = {}, before?: (f: Fixture) => Promise<void>) {
  fx = await startFixture(options);
  await before?.(fx);
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  requests = [];
  page.on('request', (request) => requests.push(request.url()));
  // The link Carapace prints: the page keeps its token for this tab.
  await page.goto(fx.server.pageUrl);
  await page
    .getByRole('status')
    .first()
    .filter({ hasText: /not installed|ready/ })
    .waitFor();
  return fx;
}

/** A fresh install's phases: the download's checksum is verified before uv installs, then sky is. */
const FRESH_INSTALL = ['checking', 'downloading', 'verifying', 'installing', 'verifying', 'complete'];

/** The phases of the install lines in the activity log, consecutive repeats folded. */
async function loggedPhases(): Promise<string[]> {
  const lines = await page.locator('#log li').allTextContents();
  return lines
    .map((line) => /^\[install\] ([a-z]+)/.exec(line)?.[1])
    .filter((phase): phase is string => Boolean(phase))
    .filter((phase, i, all) => phase !== all[i - 1]);
}

/**
 * One state of the page: its screenshot, axe-core's violations by impact (none
 * serious or critical allowed), and no element wider than the viewport at each width.
 */
async function state(name: string, description: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    type Violation = { id: string; impact: string; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run()).violations.map(({ id, impact, nodes }) => ({
      id,
      impact,
      where: nodes.map((node) => node.target.join(' ')).slice(0, 3),
    }));
  });
  const byImpact: Record<string, number> = {};
  for (const { impact } of violations) byImpact[impact] = (byImpact[impact] ?? 0) + 1;
  expect(
    violations.filter(({ impact }) => impact === 'serious' || impact === 'critical'),
    `${name}: axe`,
  ).toEqual([]);
  const widest: Record<string, number> = {};
  const size = page.viewportSize() ?? { width: 1280, height: 1000 };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 1000 });
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
      return { page: document.documentElement.scrollWidth, limit, wide: wide.slice(0, 5) };
    });
    widest[width] = overflow.page;
    expect(overflow.wide, `${name} at ${width} px`).toEqual([]);
    expect(overflow.page, `${name} at ${width} px`).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize(size);
  report.states[name] = { screenshot: description, axe: byImpact, widest };
}

// Waiting assertions on what the page shows (vitest has no Playwright matchers).
const POLL = { timeout: 30_000 };
const shows = (locator: Locator, text: string) => expect.poll(() => locator.textContent(), POLL).toContain(text);
const reads = (locator: Locator, text: string) => expect.poll(() => locator.textContent(), POLL).toBe(text);
const visible = (locator: Locator, yes = true) => expect.poll(() => locator.isVisible(), POLL).toBe(yes);

/** The install events the page received, in order, with when they arrived. */
async function recordInstallEvents(): Promise<void> {
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

async function installEvents(): Promise<{ at: number; event: InstallEventData }[]> {
  return page.evaluate(
    () => (window as unknown as { installEvents: { at: number; event: InstallEventData }[] }).installEvents,
  );
}

async function stalledMirror(): Promise<Mirror> {
  const mirror = await startMirror();
  mirror.setFaults([{ match: '', kind: 'hang' }]);
  closers.push(() => mirror.close());
  return mirror;
}

describe.skipIf(!available)('the page', () => {
  it('Check Clouds: the install phases in order with download progress, then the clouds, with no pictograph', async () => {
    const f = await open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 300_000 }]);
    await state(
      '01-fresh',
      'A fresh page: "SkyPilot is not installed yet", the Check Clouds and Launch form, empty Servers.',
    );
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('li[data-step="downloading"].active').waitFor();
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('#download-progress');
      const text = document.querySelector('#download-text')?.textContent ?? '';
      return bar !== null && bar.value > 0 && bar.value < 100 && /^\d+% \(\d+\.\d of \d+\.\d MB\)/.test(text);
    });
    await state(
      '02-downloading',
      'The install steps with "Downloading package manager" active and a progress bar with MB figures.',
    );
    await page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    expect(await loggedPhases()).toEqual(FRESH_INSTALL);
    expect(await page.locator('#steps li.done').count()).toBe(5);
    expect(await page.locator('#download-progress').evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(100);
    await shows(page.locator('#log'), 'Cloud check finished.');
    await shows(page.locator('#log'), 'Enabled infra');
    expect(await page.locator('#log').textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
    await reads(page.locator('#status-text'), 'SkyPilot is ready, installed by Carapace.');
    await state(
      '03-clouds',
      'All five steps done, the Clouds list with AWS enabled and GCP and Azure with their reasons.',
    );
    // nothing but this server was asked for anything
    expect(requests.filter((url) => !url.startsWith(f.server.url))).toEqual([]);
  });

  it('Launch Server: launching with a spinner, autostop shown, Tear down confirmed by name', async () => {
    await open({ env: { STANDIN_SKY_LAUNCH_SECONDS: '3' } });
    await page.getByLabel('Name', { exact: true }).fill('web-1');
    await page.getByLabel('Cloud', { exact: true }).selectOption('aws');
    await page.getByLabel('Idle minutes before stopping').fill('30');
    await page.getByRole('button', { name: 'Launch Server' }).click();
    const row = page.getByRole('row', { name: /web-1/ });
    await shows(row, 'Launching…');
    await visible(row.locator('.spinner'));
    await state('04-launching', 'The Servers table with web-1 "Launching…" beside a spinner and a Cancel button.');
    await shows(row, 'UP');
    await shows(row, 'after 30 min');
    await shows(page.locator('#log'), 'Server web-1 is up.');
    await state(
      '05-launched',
      'web-1 listed UP on AWS with "after 30 min" in the Autostop column and a Tear down button.',
    );

    await page.getByLabel('Name', { exact: true }).fill('web-2');
    await page.getByLabel('Stop when idle for').uncheck();
    await page.getByRole('button', { name: 'Launch Server' }).click();
    const second = page.getByRole('row', { name: /web-2/ });
    await shows(second, 'off: runs until torn down');

    await page.getByRole('button', { name: 'Tear down web-1' }).click();
    const dialog = page.getByRole('dialog');
    await shows(dialog, 'Tear down web-1? The server and its disk are deleted');
    await state('06-confirm-tear-down', 'A dialog "Tear down web-1?" with Yes and Cancel, the page behind it dimmed.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await visible(dialog, false);
    await shows(row, 'UP');
    await page.getByRole('button', { name: 'Tear down web-1' }).click();
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await shows(page.locator('#log'), 'Server web-1 was torn down.');
    await row.waitFor({ state: 'detached' });
  });

  it('a failure: the failed step marked, the message once, focus on Retry, panels still, the full log', async () => {
    const f = await open();
    f.mirror.setFaults([{ match: '.sha256', kind: 'bad-checksum' }]);
    const panels = () =>
      page.$$eval('main > section:not([hidden])', (sections) =>
        sections.map((section) => ({ id: section.id, top: section.getBoundingClientRect().top })),
      );
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('li[data-step="downloading"]').waitFor();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await shows(alert, 'The uv download does not match its checksum');
    await shows(alert, 'Error code: checksum');
    await expect.poll(() => page.locator('li[data-step="downloading"]').getAttribute('class'), POLL).toBe('failed');
    expect(await page.locator('li[data-step="checking"]').getAttribute('class')).toBe('done');
    const message = (await page.locator('#error-message').textContent()) ?? '';
    expect(message.length).toBeGreaterThan(20);
    expect(await page.getByText(message, { exact: false }).count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('retry-button');
    await state(
      '07-failed',
      'The error panel over the page bottom: message, "What to do", code checksum, Retry focused; the download step in red.',
    );
    // The panel floats: the panels under it did not move when it appeared.
    const before = await panels();
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await panels()).toEqual(before);

    await page.locator('#log-button').click();
    const log = page.getByRole('dialog', { name: 'Installation log' });
    await shows(log, `${f.home}/logs/install.log`);
    await expect.poll(() => page.locator('#log-dialog-text').inputValue(), POLL).toContain('download');
    await state(
      '08-full-log',
      'The "Installation log" dialog: the log file path, then its last lines in a scrollable box.',
    );
    await log.getByRole('button', { name: 'Close' }).click();

    f.mirror.reset();
    await page.locator('#check-button').click();
    await page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    await visible(alert, false);
    expect(f.server.session.runs).toBe(2);
  });

  it('network settings: saved in the page and used by the next install without a restart', async () => {
    const working = await startMirror();
    closers.push(() => working.close());
    await open({ env: { CARAPACE_UV_MIRROR: undefined, UV_DEFAULT_INDEX: undefined } }, async (f) => {
      // A mirror that is down, saved earlier.
      await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: 'http://127.0.0.1:9/uv' } });
    });
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    const alert = page.getByRole('alert');
    await shows(alert, 'Error code: network');
    await shows(alert, 'Network settings');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByLabel('uv download mirrors').fill(working.uvBase);
    await page.getByLabel('Package index').fill(working.indexUrl);
    await page.getByLabel('Proxy').fill('http://carol:t0ps3cret@127.0.0.1:9');
    await page.getByLabel('Proxy').fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await shows(page.locator('#settings-said'), 'Saved. The next install or action uses them.');
    await state(
      '09-settings-saved',
      'The Network settings form with the mirror and package index filled in and "Saved." under it.',
    );
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    expect(working.requests().some((request) => request.path.endsWith('.tar.gz'))).toBe(true);
  });

  it('a stalled mirror: the next one is tried, with a waiting line every few seconds', async () => {
    const stalled = await stalledMirror();
    await open({ env: { CARAPACE_UV_MIRROR: undefined } }, async (f) => {
      await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: `${stalled.uvBase} ${f.mirror.uvBase}` } });
    });
    await recordInstallEvents();
    const started = Date.now();
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await shows(page.locator('#log'), 'Waiting for 127.0.0.1');
    await state('10-waiting', 'The download step active, the log saying "Waiting for 127.0.0.1… 4 s", then 8 s.');
    await page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor({ timeout: 60_000 });
    report.timings.stalled_mirror_failover_s = (Date.now() - started) / 1000;
    const messages = (await installEvents()).map(({ event }) => event.message);
    const tried = messages.filter((message) => message.startsWith('Downloading package manager (uv'));
    expect(tried).toHaveLength(2);
    expect(messages.filter((message) => message.startsWith('Waiting for 127.0.0.1')).length).toBeGreaterThanOrEqual(3);
  });

  it('a fully stalled network: a network error, never silent for long', async () => {
    const first = await stalledMirror();
    const second = await stalledMirror();
    await open({ env: { CARAPACE_UV_MIRROR: undefined } }, async (f) => {
      await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: `${first.uvBase} ${second.uvBase}` } });
    });
    await recordInstallEvents();
    const started = Date.now();
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    const alert = page.getByRole('alert');
    await shows(alert, 'Error code: network');
    await shows(alert, 'nothing arrived');
    report.timings.stalled_network_error_s = (Date.now() - started) / 1000;
    const arrivals = (await installEvents()).map(({ at }) => at);
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] ?? at));
    report.timings.stalled_network_longest_silence_s = Math.max(...gaps) / 1000;
    expect(arrivals.length).toBeGreaterThan(6);
    await state(
      '11-stalled-network',
      'The error panel: "Could not download uv from 127.0.0.1 or 127.0.0.1 (… nothing arrived for 15 s)", code network.',
    );
  });

  it('a reload mid-install catches up: the log is kept, missed events are replayed, the phase is right', async () => {
    const f = await open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('li[data-step="downloading"].active').waitFor();
    await page.reload();
    await page.locator('li[data-step="downloading"].active, li[data-step="installing"].active').first().waitFor();
    await page.locator('#steps li[data-step="complete"].done').waitFor({ timeout: 30_000 });
    await shows(page.locator('#log'), 'Cloud check finished.');
    expect(await loggedPhases()).toEqual(FRESH_INSTALL);
    const checking = await page.locator('#log li', { hasText: '[install] checking: Checking this system' }).count();
    expect(checking).toBe(1);
  });

  it('Update and Uninstall: the versions said, the uninstall confirmed', async () => {
    const f = await open();
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
    f.mirror.setSkypilotVersions(['1.0.0.dev20261120', '1.0.0.dev20261201']);
    await page.getByRole('button', { name: 'Update SkyPilot' }).click();
    await shows(page.locator('#log'), 'SkyPilot updated from 1.0.0.dev20261120 to 1.0.0.dev20261201');
    await shows(page.locator('#status-details'), '1.0.0.dev20261201');
    await state(
      '12-updated',
      'The Cloud tools panel showing SkyPilot 1.0.0.dev20261201, the log saying it was updated from 20261120.',
    );
    await page.getByRole('button', { name: 'Uninstall…' }).click();
    const dialog = page.getByRole('dialog');
    await shows(dialog, 'Uninstall the cloud tools?');
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await reads(
      page.locator('#status-text'),
      'SkyPilot is not installed yet. It installs itself when you check clouds or launch a server.',
    );
  });

  it('keeps the token from the printed link to itself: no other port gets it, the history holds none', async () => {
    const f = await open();
    // Another web server on this machine (a dev server, another user's program), visited in the same browser.
    const seen: string[] = [];
    const other = createServer((req, res) => {
      seen.push(JSON.stringify(req.headers));
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>another local site</p>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => other.close(() => resolve())));
    expect(page.url()).not.toContain(f.server.token);
    const { port } = other.address() as AddressInfo;
    for (const host of ['127.0.0.1', 'localhost']) {
      await page.goto(`http://${host}:${port}/`);
      await page.goto(`http://${host}:${port}/favicon.ico`);
    }
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const headers of seen) expect(headers).not.toContain(f.server.token);
    expect(await page.context().cookies()).toEqual([]);
    // Back through the history to Carapace: no entry holds the token, and the tab still works without it.
    const visited: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.goBack();
      visited.push(page.url());
    }
    expect(visited.join(' ')).not.toContain('token');
    expect(visited).toContain(`${f.server.url}/`);
    await page.goto(`${f.server.url}/`);
    await page.getByRole('button', { name: 'Check Clouds' }).waitFor();
    expect(await page.locator('#login-card').isHidden()).toBe(true);
  });

  it('opened without the token, is a login card that takes the pasted token, and says when it is wrong', async () => {
    const f = await open();
    await page.close();
    page = await browser.newPage({ viewport: { width: 800, height: 800 } });
    const fresh = page;
    await fresh.goto(`${f.server.url}/`);
    await fresh.getByRole('heading', { name: 'Open Carapace with its token' }).waitFor();
    expect(await fresh.locator('#app').isHidden()).toBe(true);
    expect(await fresh.getByRole('button', { name: 'Check Clouds' }).count()).toBe(0);
    const field = fresh.getByLabel('Token', { exact: true });
    expect(await fresh.evaluate(() => document.activeElement?.id)).toBe('login-token');
    await field.fill('not-the-token-0123456789abcdef');
    await fresh.getByRole('button', { name: 'Open Carapace' }).click();
    await fresh.getByText('That is not the token of this Carapace').waitFor();
    await state('00-login', 'the login card after a wrong token');
    await field.fill(f.server.token);
    await fresh.getByRole('button', { name: 'Open Carapace' }).click();
    await fresh.getByRole('button', { name: 'Check Clouds' }).waitFor();
  });

  it('works with the keyboard and labels every control', async () => {
    await open();
    const unlabelled = await page.$$eval('input, select, textarea', (controls) =>
      controls
        .filter(
          (control) =>
            (control as HTMLInputElement).labels?.length === 0 &&
            !control.getAttribute('aria-labelledby') &&
            !control.getAttribute('aria-label'),
        )
        .map((control) => control.id),
    );
    expect(unlabelled).toEqual([]);
    await page.keyboard.press('Tab');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      order.push(await page.evaluate(() => document.activeElement?.id ?? ''));
      await page.keyboard.press('Tab');
    }
    expect(order).toEqual(['install-button', 'check-button', 'server-name', 'server-cloud']);
    await page.focus('#check-button');
    const outline = await page.$eval('#check-button', (button) => getComputedStyle(button).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
  });
});
