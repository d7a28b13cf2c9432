// The install as a user meets it: the first run, Check Clouds on a fresh machine with its
// steps and progress, Cancel, a failure where it happened, a stalled network, a reload.
import { describe, expect, it } from 'vitest';
import { FIRST_INSTALL_MB } from '../../public/panel-status.js';
import {
  available,
  FRESH_INSTALL,
  installEvents,
  loggedPhases,
  open,
  POLL,
  primaryButtons,
  reads,
  recordInstallEvents,
  shows,
  stalledMirror,
  state,
  usePage,
  visible,
} from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('the install', () => {
  it('Check Clouds: the install phases in order with download progress, then the clouds, with no pictograph', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 300_000 }]);
    await state(
      s,
      '01-fresh',
      'A fresh page: not installed, what the first install downloads and how long it takes, one blue button (Install cloud tools), Check Clouds, the Launch form, "No servers yet."',
    );
    // One next step put forward; the details folded; nothing about uninstalls on a first visit.
    expect(await primaryButtons(s.page)).toEqual(['Install cloud tools']);
    expect(await s.page.locator('#status-more').evaluate((more) => (more as HTMLDetailsElement).open)).toBe(false);
    expect(await s.page.locator('#servers-empty').textContent()).toBe('No servers yet.');
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('li[data-step="uv"].active').waitFor();
    await s.page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('#download-progress');
      const text = document.querySelector('#download-text')?.textContent ?? '';
      return (
        bar !== null &&
        bar.value > 2 &&
        bar.value < 16 &&
        /^\d+% in all · package manager: \d+\.\d of \d+\.\d MB/.test(text)
      );
    });
    // The figures are the bar's alone: the line under it says what runs, not the same MB again.
    expect(await s.page.locator('#progress-text').textContent()).not.toMatch(/\d+\.\d of \d+\.\d MB/);
    await state(
      s,
      '02-downloading',
      'The install steps inside Cloud tools, "Downloading the package manager" active, the bar with MB figures, Cancel installation.',
    );
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    // When it was checked, said with the answer (not only after a reload).
    await shows(s.page.locator('#clouds-checked'), 'Last checked at');
    expect(await primaryButtons(s.page)).toEqual(['Launch Server']);
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
      'SkyPilot ready, the install folded to "Cloud tools installed in N s", the Clouds list with AWS enabled and an Add button for each cloud to add.',
    );
    // nothing but this server was asked for anything
    expect(s.requests.filter((url) => !url.startsWith(f.server.url))).toEqual([]);
  });

  it('the first run: the size and time said before, Cancel stops the install cleanly, the log and the settings usable meanwhile, the state in the tab title', async () => {
    const f = await open(s);
    await shows(s.page.locator('#tools-panel'), `The first install downloads about ${FIRST_INSTALL_MB} MB`);
    await shows(s.page.locator('#tools-panel'), 'usually 1–5 minutes');
    expect(await s.page.title()).toBe('Carapace');
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 100_000 }]);
    await s.page.getByRole('button', { name: 'Install cloud tools' }).click();
    await s.page.locator('li[data-step="uv"].active').waitFor();
    await expect.poll(() => s.page.title(), POLL).toMatch(/^Installing \d+% · Carapace$/);
    // While it runs: the full log opens, and the settings can be saved.
    await s.page.getByRole('button', { name: 'Show full log' }).first().click();
    const log = s.page.getByRole('dialog', { name: 'Installation log' });
    await shows(log, `${f.home}/logs/install.log`);
    await log.getByRole('button', { name: 'Close' }).click();
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    const settings = s.page.getByRole('dialog', { name: 'Network settings' });
    await settings.getByLabel('Proxy').fill('http://proxy.example:3128');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await shows(settings.locator('#settings-said'), 'Saved.');
    await settings.getByRole('button', { name: 'Close' }).click();
    await state(
      s,
      '04-installing',
      'An install under way: its steps and bar, Cancel installation, the tab title "Installing N% · Carapace".',
    );
    await s.page.getByRole('button', { name: 'Cancel installation' }).click();
    await reads(
      s.page.locator('#status-text'),
      'The installation was cancelled; nothing half-installed was kept. Install when you are ready.',
    );
    await shows(s.page.locator('#progress-title'), 'Installation cancelled');
    // What the user asked for is no error.
    expect(await s.page.locator('#error-panel').isVisible()).toBe(false);
    expect(await s.page.title()).toBe('Carapace');
    expect(f.server.store.status().last_error?.code).toBe('interrupted');
    await state(s, '05-cancelled', 'The install cancelled: the status says nothing half-installed was kept; no error.');
    // The script stopped cleanly: nothing of it is in the way of the next install.
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    await settings.getByLabel('Proxy').fill('');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await shows(settings.locator('#settings-said'), 'Saved.');
    await settings.getByRole('button', { name: 'Close' }).click();
    f.mirror.reset();
    await s.page.getByRole('button', { name: 'Install cloud tools' }).click();
    await reads(s.page.locator('#status-text'), 'SkyPilot is ready, installed by Carapace.');
  });

  it('a failure: the failed step marked, the error where it happened with what to do, Escape closes it, the full log', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.sha256', kind: 'bad-checksum' }]);
    const check = s.page.getByRole('button', { name: 'Check Clouds' });
    await check.click();
    const alert = s.page.getByRole('alert');
    await alert.waitFor();
    await shows(alert, 'The uv download does not match its checksum');
    await shows(alert, 'Error code: checksum');
    await shows(alert, 'What to do:');
    // The check failed in the install it needed: its title says so, above the message about the download.
    await reads(s.page.locator('#error-title'), 'Check Clouds failed: the cloud tools could not be installed');
    await expect.poll(() => s.page.locator('li[data-step="uv"]').getAttribute('class'), POLL).toBe('failed');
    // The bar is not left blue and part-filled as if it ran: it is drawn failed and says where it stopped.
    expect(await s.page.locator('#download-progress').getAttribute('data-state')).toBe('failed');
    await shows(s.page.locator('#download-text'), /^Stopped at \d+%, in “Downloading the package manager \(uv\)”$/);
    // Nothing usable was installed: nothing to uninstall is offered.
    await visible(s.page.locator('#uninstall-button'), false);
    expect(await s.page.locator('li[data-step="prepare"]').getAttribute('class')).toBe('done');
    const message = (await s.page.locator('#error-message').textContent()) ?? '';
    expect(message.length).toBeGreaterThan(20);
    // The hashes are for the log and the details, not the message.
    expect(message).not.toMatch(/[0-9a-f]{64}/);
    // Said once on the page (the live region says it to screen readers only).
    // Shown once; said once more to screen readers, by the live region.
    const said = s.page.getByText(message, { exact: false });
    expect(await said.evaluateAll((all) => all.map((each) => each.id || each.outerHTML.slice(0, 80)))).toEqual([
      'error-message',
      'announcer',
    ]);
    // Where it happened: in the Clouds panel, under the button, covering nothing.
    expect(await s.page.locator('#clouds-panel #error-panel').count()).toBe(1);
    const [button, panel] = [await check.boundingBox(), await alert.boundingBox()];
    expect(panel && button && panel.y >= button.y + button.height).toBe(true);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('retry-button');
    // One button put forward: Retry, not also the install beside it.
    expect(await s.page.locator('#install-button').getAttribute('class')).toBe('secondary');
    await state(
      s,
      '06-failed',
      'The error "Check Clouds failed: the cloud tools could not be installed" in the Clouds panel: message, what to do, code checksum, Retry focused; the download step and the stopped bar in red, "Stopped at N%, in …"; no Uninstall….',
    );
    await s.page.getByText('Show details').click();
    await shows(s.page.locator('#error-details'), /expected [0-9a-f]{64}, got [0-9a-f]{64}/);
    await s.page.keyboard.press('Escape');
    await visible(alert, false);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('check-button');
    // Closed, the error no longer puts Retry forward: the install is the next step again.
    expect(await s.page.locator('#install-button').getAttribute('class')).toBe('');

    await s.page.locator('#log-button').click();
    const log = s.page.getByRole('dialog', { name: 'Installation log' });
    await shows(log, `${f.home}/logs/install.log`);
    await expect.poll(() => s.page.locator('#log-dialog-text').inputValue(), POLL).toContain('download');
    await state(
      s,
      '07-full-log',
      'The "Installation log" dialog: the log file path, then its last lines in a scrollable box.',
    );
    await log.getByRole('button', { name: 'Close' }).click();

    // A new tab has an empty log: it says nothing happened since it was opened, and offers the install's log.
    const tab = await s.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    s.closers.push(() => tab.close());
    await tab.goto(f.server.pageUrl);
    await reads(tab.locator('#log-empty-text'), 'Nothing since this page was opened. The log of the last install:');
    await tab.locator('#log-empty').getByRole('button', { name: 'Show full log' }).click();
    await shows(tab.getByRole('dialog', { name: 'Installation log' }), `${f.home}/logs/install.log`);

    f.mirror.reset();
    await check.click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
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
    // The installer's "Waiting for <host>... 4 s", in words.
    await shows(s.page.locator('#log'), /No data from 127\.0\.0\.1:\d+ for 4 s; still waiting/);
    await state(
      s,
      '08-waiting',
      'The download step active, the log saying "No data from 127.0.0.1:N for 4 s; still waiting", then 8 s.',
    );
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor({ timeout: 60_000 });
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
      '09-stalled-network',
      'The error in the Clouds panel: "Could not download uv from 127.0.0.1 or 127.0.0.1 (… nothing arrived for 15 s)", code network, Retry.',
    );
  });

  it('a reload mid-install catches up: the log is kept, what it missed is added, the phase is right', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('li[data-step="uv"].active').waitFor();
    await s.page.reload();
    await s.page.locator('li[data-step="uv"].active, li[data-step="packages"].active').first().waitFor();
    await s.page.locator('#steps li[data-step="ready"].done').waitFor({ state: 'attached', timeout: 30_000 });
    await shows(s.page.locator('#log'), 'Cloud check finished.');
    expect(await loggedPhases(s.page)).toEqual(FRESH_INSTALL);
    const checking = await s.page.locator('#log li', { hasText: '[install] Checking this system' }).count();
    expect(checking).toBe(1);
  });
});
