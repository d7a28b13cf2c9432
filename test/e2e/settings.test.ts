// The network settings.
import { describe, expect, it } from 'vitest';
import { startMirror } from '../mirror/server.js';
import { available, open, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('The network settings', () => {
  it('network settings: saved in the page and used by the next install without a restart', async () => {
    const working = await startMirror();
    s.closers.push(() => working.close());
    await open(s, { env: { CARAPACE_UV_MIRROR: undefined, UV_DEFAULT_INDEX: undefined } }, async (f) => {
      // A mirror that is down, saved earlier.
      await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: 'http://127.0.0.1:9/uv' } });
    });
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    const alert = s.page.getByRole('alert');
    await shows(alert, 'Error code: network');
    await shows(alert, 'Network settings');
    await s.page.getByRole('button', { name: 'Close' }).click();
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Network settings' });
    await dialog.getByLabel('uv download mirrors').fill(working.uvBase);
    await dialog.getByLabel('Package index').fill(working.indexUrl);
    await dialog.getByLabel('Proxy').fill('http://carol:t0ps3cret@127.0.0.1:9');
    await dialog.getByLabel('Proxy').fill('');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#settings-said'), 'Saved. The next install or action uses them.');
    await state(
      s,
      '29-settings-saved',
      'The Network settings dialog with the mirror and package index filled in and "Saved." beside Save.',
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    expect(working.requests().some((request) => request.path.endsWith('.tar.gz'))).toBe(true);
  });
});
