// Errors where they happen: a field's error under the field, the error panel in the
// panel of what failed and never over the field it names, Escape closes it and focus
// goes back to the button that started it, no Retry where retrying cannot help, and a
// failed save takes "Saved." away.
import { describe, expect, it } from 'vitest';
import { available, open, POLL, shows, state, usePage, visible } from './helpers.js';

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
    // The field beside one with an error keeps its height.
    const heights = await s.page.$$eval('#server-cpus, #server-memory', (fields) =>
      fields.map((field) => Math.round(field.getBoundingClientRect().height)),
    );
    expect(heights[1]).toBe(heights[0]);
    await state(s, '22-field-errors', 'The Launch form with "1-bad" and "two": each error in red under its field.');
    await name.fill('web-1');
    expect(await s.page.locator('#server-name-error').textContent()).toBe('');
  });

  it('no Retry on an error a retry cannot fix; Escape closes it and focus returns to its button; the log says it', async () => {
    await open(s);
    // An answer a retry cannot change (as the server words a launch refused for a missing program).
    await s.page.route(/\/servers$/, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 400,
            json: {
              code: 'missing-tool',
              message: 'Launching a server needs ssh and rsync on this machine, and they are missing.',
              hint: "Install openssh-client (ssh) and rsync with your system's package manager, then launch again.",
            },
          })
        : route.continue(),
    );
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    const launch = s.page.getByRole('button', { name: 'Launch Server' });
    await launch.click();
    const alert = s.page.getByRole('alert');
    await shows(alert, 'Launching a server needs ssh and rsync');
    await shows(alert, 'Error code: missing-tool');
    await shows(s.page.locator('#log'), 'The launch could not start: Launching a server needs ssh and rsync');
    expect(await s.page.locator('#launch-panel #error-panel').count()).toBe(1);
    expect(await s.page.getByRole('button', { name: 'Retry' }).isVisible()).toBe(false);
    // Under the button, over no field.
    const [button, panel] = [await launch.boundingBox(), await alert.boundingBox()];
    expect(panel && button && panel.y >= button.y + button.height).toBe(true);
    await state(s, '23-no-retry', 'A launch refused: the error under Launch, with what to do and no Retry.');
    await s.page.keyboard.press('Escape');
    await visible(alert, false);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('launch-button');
  });

  it('a failed save takes "Saved." away, keeps what was typed, and says what to fix under the field', async () => {
    await open(s);
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Network settings' });
    await dialog.getByLabel('Proxy').fill('http://proxy.example:3128');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#settings-said'), 'Saved.');
    await dialog.getByLabel("Mirror of Astral's downloads").fill('https://mirror.example/astral');
    await dialog.getByLabel('Proxy').fill('ftp://proxy.example');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#setting-HTTPS_PROXY-error'), 'is not an http:// or https:// address');
    expect(await dialog.locator('#settings-said').textContent()).toBe('');
    expect(await dialog.getByLabel('Proxy').getAttribute('aria-invalid')).toBe('true');
    // Nothing typed is lost, and what to do is said in the page's words.
    expect(await dialog.getByLabel('Proxy').inputValue()).toBe('ftp://proxy.example');
    expect(await dialog.getByLabel("Mirror of Astral's downloads").inputValue()).toBe('https://mirror.example/astral');
    await shows(dialog.locator('#setting-HTTPS_PROXY-error'), 'Use an address such as http://proxy.example:3128');
    // The dialog's Close is in sight without scrolling the page, however tall the dialog.
    const close = await dialog.getByRole('button', { name: 'Close' }).boundingBox();
    expect(close && close.y + close.height <= 1000).toBe(true);
    // Where the server has no more to say than "fix the request", the page says what to do.
    await dialog.getByLabel('Proxy').fill('http://proxy.example:3128');
    await dialog.getByLabel('CA bundle').fill('corp-ca.pem');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#setting-SSL_CERT_FILE-error'), 'must be a full path');
    await shows(dialog.locator('#setting-SSL_CERT_FILE-error'), 'Correct it, then save again.');
    expect(await dialog.textContent()).not.toContain('send it again');
    await state(
      s,
      '24-settings-error',
      'The Network settings dialog: "CA bundle must be a full path" and "Correct it, then save again." under its field, what was typed kept, no "Saved.".',
    );
    // Closed and opened again, it shows what is saved, not what was typed and refused.
    await s.page.keyboard.press('Escape');
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    await expect.poll(() => dialog.getByLabel('CA bundle').inputValue(), POLL).toBe('');
    // The proxy saved first; the mirror typed and refused with the rest is not.
    expect(await dialog.getByLabel('Proxy').inputValue()).toBe('http://proxy.example:3128');
    expect(await dialog.getByLabel("Mirror of Astral's downloads").inputValue()).toBe('');
    expect(await dialog.locator('#setting-SSL_CERT_FILE-error').textContent()).toBe('');
  });
});
