// Where the token goes in a real browser (Debian's chromium through playwright-core) with a
// persistent profile, as a user's own browser has: which of the profile's files keep it after
// the browser closes, for the printed link (`/#token=…`) and for the token in the query
// (`/?token=…`, the link before it); and a window a hostile page opens on Carapace. What was
// found is written to test-output/token-history.json; README's Security section says it.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanUpTemporaryFolders, type Fixture, startFixture, temporaryFolder } from '../support/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const REPORT = 'test-output/token-history.json';
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing (apt-get install chromium): the browser's record of the token cannot be checked`;
  if (process.env.CARAPACE_REQUIRE_ALL) throw new Error(`${message} and CARAPACE_REQUIRE_ALL is set`);
  console.warn(`SKIPPING: ${message}`);
}
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Where, in a profile, the token stays, as README's Security section says: the browser's own
 * records of the user's visits (History: the address first opened; Sessions: the tabs to
 * restore; segmentation_platform's ukm_db: URL-keyed metrics kept on disk) and the page's
 * sessionStorage, which Chromium writes to "Session Storage" for session restore. All under the
 * user's own profile folder. Any other file is named as it is.
 */
function placeOf(path: string): string {
  return (
    /^Default\/(History|Sessions|Session Storage|Favicons)(\/|$)|^segmentation_platform\/(ukm_db)$/
      .exec(path)
      ?.slice(1)
      .find(Boolean) ?? path
  );
}
const KEPT_BY_THE_BROWSER = ['History', 'Session Storage', 'Sessions', 'ukm_db'];
/** Where the browser keeps it at times only: the favicon database maps the page as first loaded to its icon. */
const KEPT_AT_TIMES = ['Favicons'];

const report: Record<string, unknown> = {};
let fx: Fixture | undefined;
let context: BrowserContext | undefined;
let browser: Browser | undefined;
let other: Server | undefined;

afterEach(async () => {
  await context?.close();
  await browser?.close();
  await fx?.close();
  await new Promise((resolve) => (other ? other.close(resolve) : resolve(undefined)));
  context = undefined;
  browser = undefined;
  fx = undefined;
  other = undefined;
  cleanUpTemporaryFolders();
});

afterAll(() => {
  if (!available) return;
  mkdirSync('test-output', { recursive: true });
  writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
});

/** The files under `folder` whose bytes hold `text`, in ASCII or UTF-16 (how DOM storage keeps strings). */
function filesHolding(folder: string, text: string): string[] {
  const forms = [Buffer.from(text), Buffer.from(text, 'utf16le')];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile()) {
        const bytes = readFileSync(path);
        if (forms.some((form) => bytes.includes(form))) found.push(relative(folder, path));
      }
    }
  };
  walk(folder);
  return found.sort();
}

/** Another site on this machine, which records the headers it is sent. */
async function otherSite(seen: string[]): Promise<string> {
  other = createServer((req, res) => {
    seen.push(JSON.stringify(req.headers));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>another local site</p>');
  });
  await new Promise<void>((resolve) => other?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
}

describe.skipIf(!available)("the token in the browser's records", () => {
  it.each([
    ['the printed link', (f: Fixture) => f.server.pageUrl],
    ['a link with the token in the query', (f: Fixture) => `${f.server.url}/?token=${f.server.token}`],
  ])('%s: what the profile keeps once the browser is closed', async (form, linkOf) => {
    fx = await startFixture();
    const f = fx;
    const link = linkOf(f);
    const profile = temporaryFolder('profile');
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    // Every request the browser makes: its address and its Referer (the token travels only as Authorization).
    const sent: string[] = [];
    context.on('request', (request) => sent.push(`${request.url()} ${request.headers().referer ?? ''}`));
    const page: Page = context.pages()[0] ?? (await context.newPage());
    await page.goto(link);
    const seen: string[] = [];
    const elsewhere = await otherSite(seen);
    if (link === f.server.pageUrl) {
      await page.getByRole('button', { name: 'Check Clouds' }).waitFor();
      expect(page.url()).toBe(`${f.server.url}/`);
    }
    await page.goto(`${elsewhere}/`);
    await context.close();
    context = undefined;
    const kept = filesHolding(profile, f.server.token);
    const travelled = sent.filter((line) => line.includes(f.server.token));
    report[form] = { link: link.replace(f.server.token, '<token>'), kept_in: kept, sent_in: travelled.length };

    const places = [...new Set(kept.map(placeOf))].filter((place) => !KEPT_AT_TIMES.includes(place)).sort();
    // The page and its files are no-store: the HTTP cache keeps no copy, under any link.
    expect(kept.filter((path) => path.includes('Cache'))).toEqual([]);
    for (const headers of seen) expect(headers).not.toContain(f.server.token);
    if (form === 'the printed link') {
      // Exactly where README says the browser keeps it.
      expect(places).toEqual(KEPT_BY_THE_BROWSER);
      // A fragment is never sent: the token is in no request line and no Referer.
      expect(travelled).toEqual([]);
    } else {
      // The browser's records of the visit are the same (the page does not take a token from the query).
      expect(places).toEqual(KEPT_BY_THE_BROWSER.filter((place) => place !== 'Session Storage'));
      // But the query is sent: the page's request carries it (to the server, and as the Referer of its files).
      expect(travelled.length).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!available)('a window a hostile page opens on Carapace', () => {
  it('is cut from its opener: the hostile page holds no handle on it', async () => {
    fx = await startFixture();
    const f = fx;
    const hostile = await otherSite([]);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    context = await browser.newContext();
    const tab = await context.newPage();
    // The user opens Carapace, then the same tab goes to a hostile page on another port.
    await tab.goto(f.server.pageUrl);
    await tab.getByRole('button', { name: 'Check Clouds' }).waitFor();
    await tab.goto(`${hostile}/`);
    const opened = context.waitForEvent('page');
    await tab.evaluate((url) => {
      (window as unknown as { popup: Window | null }).popup = window.open(url);
    }, `${f.server.url}/`);
    const popup = await opened;
    await popup.waitForLoadState('load');
    expect(popup.url()).toBe(`${f.server.url}/`);
    // Cross-Origin-Opener-Policy: same-origin puts the popup in a browsing context group of its own:
    // the opener's handle reads as closed (nothing can be done through it), the popup has no opener.
    expect(await tab.evaluate(() => (window as unknown as { popup: Window }).popup.closed)).toBe(true);
    expect(await popup.evaluate(() => window.opener)).toBeNull();
    // What Chromium still does: copy the opener tab's sessionStorage into the window it opens (README says so).
    const copied = await popup.evaluate(() => sessionStorage.getItem('carapace.token'));
    report.popup = { opener_cut: true, session_storage_copied: copied === f.server.token };
  });
});
