// Launching and tearing down servers.
import { describe, it } from 'vitest';
import { available, open, shows, state, usePage, visible } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('Launching and tearing down servers', () => {
  it('Launch Server: launching with a spinner, autostop shown, Tear down confirmed by name', async () => {
    await open(s, { env: { STANDIN_SKY_LAUNCH_SECONDS: '3' } });
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByLabel('Cloud', { exact: true }).selectOption('aws');
    await s.page.getByLabel('Idle minutes before stopping').fill('30');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    const row = s.page.getByRole('row', { name: /web-1/ });
    await shows(row, 'Launching…');
    await visible(row.locator('.spinner'));
    await state(s, '04-launching', 'The Servers table with web-1 "Launching…" beside a spinner and a Cancel button.');
    await shows(row, 'UP');
    await shows(row, 'after 30 min');
    await shows(s.page.locator('#log'), 'Server web-1 is up.');
    await state(
      s,
      '05-launched',
      'web-1 listed UP on AWS with "after 30 min" in the Autostop column and a Tear down button.',
    );

    await s.page.getByLabel('Name', { exact: true }).fill('web-2');
    await s.page.getByLabel('Stop when idle for').uncheck();
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    const second = s.page.getByRole('row', { name: /web-2/ });
    await shows(second, 'off: runs until torn down');

    await s.page.getByRole('button', { name: 'Tear down web-1' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Tear down web-1? The server and its disk are deleted');
    await state(
      s,
      '06-confirm-tear-down',
      'A dialog "Tear down web-1?" with Yes and Cancel, the s.page behind it dimmed.',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await visible(dialog, false);
    await shows(row, 'UP');
    await s.page.getByRole('button', { name: 'Tear down web-1' }).click();
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await shows(s.page.locator('#log'), 'Server web-1 was torn down.');
    await row.waitFor({ state: 'detached' });
  });
});
