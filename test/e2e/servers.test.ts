// Launching and tearing down servers: statuses in plain words, resources readable, a
// failed teardown an error with what to do, a launch of an existing name asked first,
// cards below 40rem, focus kept in the list; the list says when it was read and asks
// the clouds on Refresh; the form offers only what the cloud allows and shows a preview.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { available, open, POLL, reads, shows, state, usePage, visible } from './helpers.js';

const s = usePage(import.meta.url);

async function launched(name: string, more: () => Promise<void> = async () => {}): Promise<void> {
  await s.page.getByLabel('Name', { exact: true }).fill(name);
  await more();
  await s.page.getByRole('button', { name: 'Launch Server' }).click();
  await reads(s.page.getByRole('row', { name: new RegExp(name) }).locator('td[data-label="Status"]'), 'Running');
}

describe.skipIf(!available)('servers', () => {
  it('Launch Server: launching with a spinner, then Running with its resources, autostop and how to connect; Tear down names the server', async () => {
    await open(s, { env: { STANDIN_SKY_LAUNCH_SECONDS: '3' } });
    await s.browser.contexts()[0]?.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(s.page.url()).origin,
    });
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByLabel('Cloud', { exact: true }).selectOption('aws');
    await s.page.getByLabel('Idle minutes before turning off').fill('30');
    const launch = s.page.getByRole('button', { name: 'Launch Server' });
    await launch.click();
    // The focus stays on the button while the request runs, and beside it the launch is said.
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('launch-button');
    // SkyPilot is not installed yet: the launch waits for it, and says so.
    await shows(s.page.locator('#launch-said'), 'web-1 is launched once the cloud tools are installed');
    const row = s.page.getByRole('row', { name: /web-1/ });
    await shows(row, 'Launching…');
    // The wait is over: beside the button too.
    await shows(s.page.locator('#launch-said'), 'Launching web-1: follow it under Servers.');
    await visible(row.locator('.spinner'));
    // A card (the list's column is under 40rem at 1280 px): the status beside its label, in one
    // piece, and no empty rows for what a server being launched does not have yet.
    const status = row.locator('td[data-label="Status"]');
    expect(await status.evaluate((cell) => [...cell.children].map((child) => child.className))).toEqual(['value']);
    expect(await row.locator('td[data-label="Resources"]').isVisible()).toBe(false);
    // Measured at once: the list is drawn anew with each event.
    const beside = () =>
      status.evaluate((cell) => {
        const [label, value] = [cell.getBoundingClientRect(), cell.querySelector('.value')?.getBoundingClientRect()];
        return value !== undefined && value.x > label.x + 50 && value.y < label.y + 10;
      });
    await expect.poll(beside, POLL).toBe(true);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('launch-button');
    await state(s, '15-launching', 'The Servers list with web-1 "Launching…" beside a spinner and a Cancel button.');
    await shows(row, 'Running');
    await shows(row, '2 vCPU · 8 GB · m6i.large');
    await shows(row, 'torn down after 30 min');
    expect(await row.textContent()).not.toMatch(/\bUP\b|1x\(/);
    await shows(s.page.locator('#log'), 'Server web-1 is up.');
    await reads(s.page.locator('#launch-said'), 'Server web-1 is up.');
    // How to reach it: SkyPilot's launch made `ssh web-1` work.
    await shows(row, 'ssh web-1');
    await row.getByRole('button', { name: 'Copy “ssh web-1”' }).click();
    await shows(s.page.locator('#servers-said'), 'Copied “ssh web-1”.');
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toBe('ssh web-1');
    await state(
      s,
      '16-launched',
      'web-1 Running on AWS, "2 vCPU · 8 GB · m6i.large", "torn down after 30 min", "Connect: ssh web-1" with Copy, Tear down.',
    );

    await s.page.getByLabel('Name', { exact: true }).fill('web-2');
    await s.page.getByLabel('Turn off when idle for').uncheck();
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    // Installed now: the launch starts at once, and beside the button it is said.
    await shows(s.page.locator('#launch-said'), 'Launching web-2: follow it under Servers.');
    // 'Copied "ssh web-1".' was of the list before this launch: it went when the launch started.
    expect(await s.page.locator('#servers-said').textContent()).toBe('');
    const second = s.page.getByRole('row', { name: /web-2/ });
    await shows(second, 'runs until torn down');

    await s.page.getByRole('button', { name: 'Tear down web-1' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Tear down web-1?');
    const yes = dialog.getByRole('button', { name: 'Tear down web-1' });
    expect(await yes.getAttribute('class')).toBe('danger');
    await state(
      s,
      '17-confirm-tear-down',
      'A dialog "Tear down web-1?" with a red "Tear down web-1" button and Cancel.',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await visible(dialog, false);
    await shows(row, 'Running');
    await s.page.getByRole('button', { name: 'Tear down web-1' }).click();
    await yes.click();
    await shows(s.page.locator('#log'), 'Server web-1 was torn down.');
    await row.waitFor({ state: 'detached' });
    // The row that went had the focus: it stays in the list.
    await expect
      .poll(() => s.page.evaluate(() => document.activeElement?.closest('#servers-panel') !== null), POLL)
      .toBe(true);
  });

  it('a failed tear down is an error with what to do, and the row does not stay green', async () => {
    await open(s, { env: { STANDIN_SKY_DOWN_FAILS: 'runtime' } });
    await launched('web-1');
    const row = s.page.getByRole('row', { name: /web-1/ });
    expect(await row.locator('.status-up').count()).toBe(1);
    await s.page.getByRole('button', { name: 'Tear down web-1' }).click();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Tear down web-1' }).click();
    const alert = s.page.locator('#servers-panel').getByRole('alert');
    await shows(alert, 'Tearing down web-1 failed');
    // The message says "failed": the title does not say it again.
    await reads(s.page.locator('#error-title'), 'Not torn down');
    await shows(alert, 'web-1 is still listed as running');
    await shows(alert, "What to do: Open web-1 in your cloud's console");
    // In words: no Python class, no double period, no raw status (the details keep SkyPilot's text).
    expect(await s.page.locator('#error-message').textContent()).not.toMatch(/RuntimeError|\.\.|\(UP\)/);
    await shows(row, 'Tear-down failed');
    expect(await row.locator('.status-up').count()).toBe(0);
    await state(
      s,
      '18-tear-down-failed',
      'The Servers panel: web-1 "Running" in red with "Tear-down failed", the error under the list with what to do and Retry.',
    );
  });

  it('launching a name that exists says so first; below 40rem each server is a card', async () => {
    await open(s);
    await launched('web-1');
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByLabel('Idle minutes before turning off').fill('15');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'web-1 already exists');
    await shows(dialog, 'reuses it');
    await shows(dialog, 'torn down after 15 min');
    expect(await dialog.textContent()).not.toContain('task');
    await state(
      s,
      '19-launch-existing',
      'A dialog "web-1 already exists": launching again reuses it and changes its autostop.',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await s.page.getByRole('row', { name: /web-1/ }).textContent()).toContain('torn down after 60 min');
    await s.page.setViewportSize({ width: 600, height: 900 });
    const display = await s.page
      .locator('#servers-body tr')
      .first()
      .evaluate((row) => getComputedStyle(row).display);
    expect(display).toBe('block');
    await s.page.setViewportSize({ width: 1280, height: 1000 });
  });

  it('the list says when it was read; Refresh asks the clouds, never a page load; a server autostop stopped shows Stopped', async () => {
    const f = await open(s);
    await launched('web-1');
    await shows(s.page.locator('#servers-read'), 'from SkyPilot’s records');
    // Autostop stopped it meanwhile (the stand-in keeps its clusters in a file of its own).
    const clusters = join(f.userHome, '.sky/standin/clusters');
    writeFileSync(clusters, readFileSync(clusters, 'utf8').replace('\tUP\t', '\tSTOPPED\t'));
    await s.page.getByRole('button', { name: /^Refresh/ }).click();
    const row = s.page.getByRole('row', { name: /web-1/ });
    await shows(row, 'Stopped');
    // What is true of a stopped server: its disk bills; nothing is left for autostop to do.
    await shows(row.locator('td[data-label="When idle"]'), 'Stopped: its disk is kept, and billed');
    expect(await row.textContent()).not.toContain('torn down after');
    expect(await row.textContent()).not.toContain('ssh web-1');
    await shows(s.page.locator('#servers-read'), 'Listed at');
    expect(s.requests.filter((url) => url.endsWith('/servers?refresh=true'))).toHaveLength(1);
    await s.page.reload();
    await shows(s.page.getByRole('row', { name: /web-1/ }), 'Stopped');
    expect(s.requests.filter((url) => url.includes('refresh=true'))).toHaveLength(1);
    await state(
      s,
      '20-refreshed',
      'The Servers list read "Listed at <time>" with Refresh; web-1 Stopped, saying its disk is kept and billed.',
    );
  });

  it('the form: idle controls off with autostop off, "stop" only where the cloud can, a preview beside Launch', async () => {
    await open(s);
    const minutes = s.page.getByLabel('Idle minutes before turning off');
    const stop = s.page.getByLabel('Stop it (its disk is kept, and billed)');
    await s.page.getByLabel('Turn off when idle for').uncheck();
    expect(await minutes.isDisabled()).toBe(true);
    expect(await s.page.getByLabel('Tear it down (nothing is left to pay for)').isDisabled()).toBe(true);
    await s.page.getByLabel('Turn off when idle for').check();
    expect(await minutes.isDisabled()).toBe(false);
    // "Cheapest enabled" may pick a cloud that cannot stop: tear down, which works everywhere.
    expect(await stop.isDisabled()).toBe(true);
    await s.page.getByLabel('Cloud', { exact: true }).selectOption('aws');
    expect(await stop.isDisabled()).toBe(false);
    await stop.check();
    await s.page.getByLabel('Use spot instances (cheaper; the cloud may take them back)').check();
    expect(await stop.isDisabled()).toBe(true);
    expect(await s.page.getByLabel('Tear it down (nothing is left to pay for)').isChecked()).toBe(true);
    await shows(s.page.locator('#server-stop-help'), 'AWS cannot stop spot servers');
    await s.page.getByLabel('Use spot instances (cheaper; the cloud may take them back)').uncheck();

    await s.page.getByLabel('Name', { exact: true }).fill('web-9');
    await s.page.getByLabel('Preview only: the machine and its price, nothing launched').check();
    await s.page.getByRole('button', { name: 'Preview' }).click();
    const result = s.page.locator('#preview-result');
    await shows(result, 'Preview of web-9: m6i.large (2 vCPU, 8 GB) in AWS (us-east-1)');
    await shows(result, 'about $0.10 per hour');
    await state(
      s,
      '21-preview',
      'The Launch form with "Preview only" checked and beside the button: m6i.large in AWS (us-east-1), about $0.10 per hour.',
    );
    expect(await s.page.getByRole('row', { name: /web-9/ }).count()).toBe(0);
    // The result is of the settings it was asked with: a change takes it away.
    await s.page.getByLabel('CPUs').fill('4');
    await reads(result, '');
    await s.page.getByRole('button', { name: 'Preview' }).click();
    await shows(result, 'Preview of web-9');
    await s.page.getByLabel('Preview only: the machine and its price, nothing launched').uncheck();
    await reads(result, '');
    await s.page.getByLabel('Preview only: the machine and its price, nothing launched').check();
    await s.page.getByRole('button', { name: 'Preview' }).click();
    await shows(result, 'Preview of web-9');
    await s.page.reload();
    await s.page.getByLabel('Name', { exact: true }).waitFor();
    await s.page.locator('#status-text').filter({ hasText: 'ready' }).waitFor();
    expect(await result.textContent()).toBe('');
    // A preview needs a name too: the form says so where the name is asked.
    await s.page.getByLabel('Preview only: the machine and its price, nothing launched').check();
    await shows(s.page.locator('#server-name-help'), 'A preview needs a name too');
  });

  it('a 63-character name wraps in the list: the page never scrolls sideways', async () => {
    await open(s);
    const name = `w${'e'.repeat(60)}b1`;
    expect(name).toHaveLength(63);
    await launched(name);
    await state(s, '16b-long-name', 'A server with a 63-character name: the name wraps inside its row or card.');
  });

  it('a launch that waits for the cloud tools is listed as such, and still after a reload', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    // Another tab, open before the launch is asked for.
    const other = await s.browser.newPage();
    await other.goto(f.server.pageUrl);
    await other.getByRole('status').first().filter({ hasText: 'not installed' }).waitFor();
    await s.page.getByLabel('Name', { exact: true }).fill('web-9');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    const row = s.page.getByRole('row', { name: /web-9/ });
    await shows(row, /Waiting for the cloud tools \(\d+%\)/);
    // The server tells every tab: the other one lists it too, without a reload.
    await shows(other.getByRole('row', { name: /web-9/ }), 'Waiting for the cloud tools');
    await other.close();
    await shows(s.page.locator('#launch-said'), 'web-9 is launched once the cloud tools are installed');
    await state(s, '15b-waiting-for-tools', 'web-9 listed as "Waiting for the cloud tools (N%)" while they install.');
    await s.page.reload();
    // The server knows what waits for its install: a reload (or another tab) lists it too.
    await shows(s.page.getByRole('row', { name: /web-9/ }), /Waiting for the cloud tools \(\d+%\)/);
    await reads(s.page.getByRole('row', { name: /web-9/ }).locator('td[data-label="Status"]'), 'Running');
  });
});
