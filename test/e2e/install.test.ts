// The install as a user meets it: Check Clouds on a fresh machine, its steps and progress, a failure, a stalled network, a reload.
import { describe, expect, it } from 'vitest';
import {
  available,
  FRESH_INSTALL,
  installEvents,
  loggedPhases,
  open,
  POLL,
  reads,
  recordInstallEvents,
  shows,
  stalledMirror,
  state,
  usePage,
  visible,
} from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('The install as a user meets it', () => {
  it('Check Clouds: the install phases in order with download progress, then the clouds, with no pictograph', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 300_000 }]);
    await state(
      s,
      '01-fresh',
      'A fresh s.page: "SkyPilot is not installed yet", the Check Clouds and Launch form, empty Servers.',
    );
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('li[data-step="downloading"].active').waitFor();
    await s.page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('#download-progress');
      const text = document.querySelector('#download-text')?.textContent ?? '';
      return bar !== null && bar.value > 0 && bar.value < 100 && /^\d+% \(\d+\.\d of \d+\.\d MB\)/.test(text);
    });
    await state(
      s,
      '02-downloading',
      'The install steps with "Downloading package manager" active and a progress bar with MB figures.',
    );
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    expect(await loggedPhases(s.page)).toEqual(FRESH_INSTALL);
    expect(await s.page.locator('#steps li.done').count()).toBe(5);
    expect(await s.page.locator('#download-progress').evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(100);
    await shows(s.page.locator('#log'), 'Cloud check finished.');
    await shows(s.page.locator('#log'), 'Enabled infra');
    expect(await s.page.locator('#log').textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
    await reads(s.page.locator('#status-text'), 'SkyPilot is ready, installed by Carapace.');
    await state(
      s,
      '03-clouds',
      'All five steps done, the Clouds list with AWS enabled and GCP and Azure with their reasons.',
    );
    // nothing but this server was asked for anything
    expect(s.requests.filter((url) => !url.startsWith(f.server.url))).toEqual([]);
  });

  it('a failure: the failed step marked, the message once, focus on Retry, panels still, the full log', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.sha256', kind: 'bad-checksum' }]);
    const panels = () =>
      s.page.$$eval('main > section:not([hidden])', (sections) =>
        sections.map((section) => ({ id: section.id, top: section.getBoundingClientRect().top })),
      );
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('li[data-step="downloading"]').waitFor();
    const alert = s.page.getByRole('alert');
    await alert.waitFor();
    await shows(alert, 'The uv download does not match its checksum');
    await shows(alert, 'Error code: checksum');
    await expect.poll(() => s.page.locator('li[data-step="downloading"]').getAttribute('class'), POLL).toBe('failed');
    expect(await s.page.locator('li[data-step="checking"]').getAttribute('class')).toBe('done');
    const message = (await s.page.locator('#error-message').textContent()) ?? '';
    expect(message.length).toBeGreaterThan(20);
    expect(await s.page.getByText(message, { exact: false }).count()).toBe(1);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('retry-button');
    await state(
      s,
      '07-failed',
      'The error panel over the s.page bottom: message, "What to do", code checksum, Retry focused; the download step in red.',
    );
    // The panel floats: the panels under it did not move when it appeared.
    const before = await panels();
    await s.page.getByRole('button', { name: 'Close' }).click();
    expect(await panels()).toEqual(before);

    await s.page.locator('#log-button').click();
    const log = s.page.getByRole('dialog', { name: 'Installation log' });
    await shows(log, `${f.home}/logs/install.log`);
    await expect.poll(() => s.page.locator('#log-dialog-text').inputValue(), POLL).toContain('download');
    await state(
      s,
      '08-full-log',
      'The "Installation log" dialog: the log file path, then its last lines in a scrollable box.',
    );
    await log.getByRole('button', { name: 'Close' }).click();

    f.mirror.reset();
    await s.page.locator('#check-button').click();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    await visible(alert, false);
    expect(f.server.session.runs).toBe(2);
  });

  it('a stalled mirror: the next one is tried, with a waiting line every few seconds', async () => {
    const stalled = await stalledMirror(s);
    await open(s, { env: { CARAPACE_UV_MIRROR: undefined } }, async (f) => {
      await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: `${stalled.uvBase} ${f.mirror.uvBase}` } });
    });
    await recordInstallEvents(s.page);
    const started = Date.now();
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await shows(s.page.locator('#log'), 'Waiting for 127.0.0.1');
    await state(s, '10-waiting', 'The download step active, the log saying "Waiting for 127.0.0.1… 4 s", then 8 s.');
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor({ timeout: 60_000 });
    s.timings.stalled_mirror_failover_s = (Date.now() - started) / 1000;
    const messages = (await installEvents(s.page)).map(({ event }) => event.message);
    const tried = messages.filter((message) => message.startsWith('Downloading package manager (uv'));
    expect(tried).toHaveLength(2);
    expect(messages.filter((message) => message.startsWith('Waiting for 127.0.0.1')).length).toBeGreaterThanOrEqual(3);
  });

  it('a fully stalled network: a network error, never silent for long', async () => {
    const first = await stalledMirror(s);
    const second = await stalledMirror(s);
    await open(s, { env: { CARAPACE_UV_MIRROR: undefined } }, async (f) => {
      await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: `${first.uvBase} ${second.uvBase}` } });
    });
    await recordInstallEvents(s.page);
    const started = Date.now();
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    const alert = s.page.getByRole('alert');
    await shows(alert, 'Error code: network');
    await shows(alert, 'nothing arrived');
    s.timings.stalled_network_error_s = (Date.now() - started) / 1000;
    const arrivals = (await installEvents(s.page)).map(({ at }) => at);
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] ?? at));
    s.timings.stalled_network_longest_silence_s = Math.max(...gaps) / 1000;
    expect(arrivals.length).toBeGreaterThan(6);
    await state(
      s,
      '11-stalled-network',
      'The error panel: "Could not download uv from 127.0.0.1 or 127.0.0.1 (… nothing arrived for 15 s)", code network.',
    );
  });

  it('a reload mid-install catches up: the log is kept, missed events are replayed, the phase is right', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('li[data-step="downloading"].active').waitFor();
    await s.page.reload();
    await s.page.locator('li[data-step="downloading"].active, li[data-step="installing"].active').first().waitFor();
    await s.page.locator('#steps li[data-step="complete"].done').waitFor({ timeout: 30_000 });
    await shows(s.page.locator('#log'), 'Cloud check finished.');
    expect(await loggedPhases(s.page)).toEqual(FRESH_INSTALL);
    const checking = await s.page.locator('#log li', { hasText: '[install] checking: Checking this system' }).count();
    expect(checking).toBe(1);
  });
});
