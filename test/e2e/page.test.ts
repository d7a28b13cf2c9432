// The page a user clicks, in a real browser (Debian's chromium through playwright-core), on a fresh CARAPACE_HOME.
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from '../support/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-output/screenshots';
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing (apt-get install chromium): the page tests cannot run`;
  if (process.env.CARAPACE_REQUIRE_ALL) throw new Error(`${message} and CARAPACE_REQUIRE_ALL is set`);
  console.warn(`SKIPPING: ${message}`);
}

let browser: Browser;
let fx: Fixture | undefined;
let page: Page;
let requests: string[];

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
});

afterEach(async () => {
  await page?.close();
  await fx?.close();
  fx = undefined;
});

async function open(): Promise<Fixture> {
  fx = await startFixture();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(fx.server.url);
  await page.getByRole('status').filter({ hasText: 'not installed' }).waitFor();
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

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

// Waiting assertions on what the page shows (vitest has no Playwright matchers).
const POLL = { timeout: 20_000 };
const shows = (locator: Locator, text: string) => expect.poll(() => locator.textContent(), POLL).toContain(text);
const reads = (locator: Locator, text: string) => expect.poll(() => locator.textContent(), POLL).toBe(text);
const visible = (locator: Locator, yes = true) => expect.poll(() => locator.isVisible(), POLL).toBe(yes);

describe.skipIf(!available)('the page', () => {
  it('Check Clouds: the install phases appear in order with download progress, then the clouds', async () => {
    const f = await open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 300_000 }]);
    await shot('1-fresh');
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('li[data-step="downloading"].active').waitFor();
    // a real progress bar, with MB figures, part-way through
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('#download-progress');
      const text = document.querySelector('#download-text')?.textContent ?? '';
      return bar !== null && bar.value > 0 && bar.value < 100 && /^\d+% \(\d+\.\d of \d+\.\d MB\)$/.test(text);
    });
    await shot('2-downloading');
    await page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    await shot('3-clouds');
    expect(await loggedPhases()).toEqual(FRESH_INSTALL);
    expect(await page.locator('#steps li.done').count()).toBe(5);
    await expect(page.locator('#clouds-list li').allTextContents()).resolves.toEqual([
      'AWS: enabled (compute, storage)',
      'Azure: disabledcompute: Azure CLI returned error. Run the following commands: $ az login',
      'GCP: disabledGCP tools are not installed. Run the following commands: $ pip install google-api-python-client',
    ]);
    await shows(page.locator('#log'), 'Cloud check finished.');
    await reads(page.getByRole('status'), 'SkyPilot is ready, installed by Carapace.');
    // nothing but this server was asked for anything
    expect(requests.filter((url) => !url.startsWith(f.server.url))).toEqual([]);
  });

  it('Launch Server: output streams, the server is listed, Tear down removes it', async () => {
    await open();
    await page.getByLabel('Name', { exact: true }).fill('web-1');
    await page.getByLabel('Cloud', { exact: true }).selectOption('aws');
    await page.getByLabel('CPUs', { exact: true }).fill('2+');
    await page.getByRole('button', { name: 'Launch Server' }).click();
    await shows(page.locator('#log'), '✓ Cluster launched: web-1.');
    await shows(page.locator('#log'), 'Server web-1 is up.');
    const row = page.getByRole('row', { name: /web-1/ });
    await row.waitFor();
    await shows(row, 'AWS (us-east-1)');
    await shows(row, 'UP');
    await shot('4-launched');
    await page.getByRole('button', { name: 'Tear down web-1' }).click();
    await shows(page.locator('#log'), 'Server web-1 was torn down.');
    await row.waitFor({ state: 'detached' });
    await visible(page.locator('#servers-empty'));
  });

  it('a checksum failure shows the message and hint; Retry succeeds once the fault is gone', async () => {
    const f = await open();
    f.mirror.setFaults([{ match: '.sha256', kind: 'bad-checksum' }]);
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await shows(alert, 'The uv download does not match its checksum');
    await shows(alert, 'What to do: Retry: the download may have been corrupted.');
    await shows(alert, 'Error code: checksum');
    await expect.poll(() => page.locator('li[data-step="downloading"]').getAttribute('class'), POLL).toBe('failed');
    await shot('5-checksum-error');
    f.mirror.reset();
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    await visible(alert, false);
    expect(f.server.session.runs).toBe(2);
  });

  it('a reload mid-install catches up: the log is kept, missed events are replayed, the phase is right', async () => {
    const f = await open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    await page.getByRole('button', { name: 'Check Clouds' }).click();
    await page.locator('li[data-step="downloading"].active').waitFor();
    await page.reload();
    await reads(page.locator('#log li').first(), 'Check Clouds'); // kept across the reload
    await page.locator('li[data-step="downloading"].active, li[data-step="installing"].active').first().waitFor();
    await shot('6-reloaded');
    await page.locator('#steps li[data-step="complete"].done').waitFor({ timeout: 30_000 });
    await shows(page.locator('#log'), 'Cloud check finished.');
    expect(await loggedPhases()).toEqual(FRESH_INSTALL);
    const checking = await page.locator('#log li', { hasText: '[install] checking: Checking this system' }).count();
    expect(checking).toBe(1);
  });

  it('works with the keyboard and labels every control', async () => {
    await open();
    const unlabelled = await page.$$eval('input, select', (controls) =>
      controls.filter((control) => (control as HTMLInputElement).labels?.length === 0).map((control) => control.id),
    );
    expect(unlabelled).toEqual([]);
    await page.keyboard.press('Tab');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      order.push(await page.evaluate(() => document.activeElement?.id ?? ''));
      await page.keyboard.press('Tab');
    }
    expect(order).toEqual(['install-button', 'check-button', 'server-name', 'server-cloud']);
    // a visible focus ring
    await page.focus('#check-button');
    const outline = await page.$eval('#check-button', (button) => getComputedStyle(button).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
  });
});
