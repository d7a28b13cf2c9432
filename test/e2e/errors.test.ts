// Errors where they happen: a field's error under the field, the error panel in the
// panel of what failed and never over the field it names, Escape closes it and focus
// goes back to the button that started it, no Retry where retrying cannot help, and a
// failed save takes "Saved." away.
import { describe, expect, it } from 'vitest';
import { available, open, pathWithout, shows, state, usePage, visible } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('errors', () => {
  it('validation errors under their field, focus on the first; nothing is sent', async () => {
    await open(s);
    const name = s.page.getByLabel('Name', { exact: true });
    await name.fill('1-bad');
    await s.page.getByLabel('CPUs').fill('two');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    await shows(s.page.locator('#server-name-error'), 'starting with a letter');
    await shows(s.page.locator('#server-cpus-error'), 'A number of CPUs');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('server-name');
    expect(await s.page.locator('#error-panel').isVisible()).toBe(false);
    expect(s.requests.filter((url) => url.endsWith('/servers'))).toEqual([]);
    await state(s, '22-field-errors', 'The Launch form with "1-bad" and "two": each error in red under its field.');
    await name.fill('web-1');
    expect(await s.page.locator('#server-name-error').textContent()).toBe('');
  });

  it('no Retry on an error a retry cannot fix; Escape closes it and focus returns to its button', async () => {
    // Without ssh and rsync a launch is refused (missing-tool): retrying alone cannot help.
    await open(s, { env: { PATH: pathWithout(['ssh', 'rsync']) } });
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    const launch = s.page.getByRole('button', { name: 'Launch Server' });
    await launch.click();
    const alert = s.page.getByRole('alert');
    await shows(alert, 'Launching a server needs ssh and rsync');
    await shows(alert, 'Error code: missing-tool');
    expect(await s.page.locator('#launch-panel #error-panel').count()).toBe(1);
    expect(await s.page.getByRole('button', { name: 'Retry' }).isVisible()).toBe(false);
    // Under the button, over no field.
    const [button, panel] = [await launch.boundingBox(), await alert.boundingBox()];
    expect(panel && button && panel.y >= button.y + button.height).toBe(true);
    await state(
      s,
      '23-no-retry',
      'The launch refused for missing ssh and rsync: the error under Launch, with what to do and no Retry.',
    );
    await s.page.keyboard.press('Escape');
    await visible(alert, false);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('launch-button');
  });

  it('a failed save takes "Saved." away and says what is wrong under the field', async () => {
    await open(s);
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Network settings' });
    await dialog.getByLabel('Proxy').fill('http://proxy.example:3128');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#settings-said'), 'Saved.');
    await dialog.getByLabel('Proxy').fill('ftp://proxy.example');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#setting-HTTPS_PROXY-error'), 'is not an http:// or https:// address');
    expect(await dialog.locator('#settings-said').textContent()).toBe('');
    expect(await dialog.getByLabel('Proxy').getAttribute('aria-invalid')).toBe('true');
    await state(
      s,
      '24-settings-error',
      'The Network settings dialog: "Proxy: … is not an http:// or https:// address" under the Proxy field, no "Saved.".',
    );
  });
});
