// The network settings.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    // A download that failed: the settings are one click away, from the error itself.
    await alert.getByRole('button', { name: 'Open Network settings' }).click();
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
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    expect(working.requests().some((request) => request.path.endsWith('.tar.gz'))).toBe(true);
  });

  it('a settings.json Carapace cannot read is said in the dialog, and saving writes it anew', async () => {
    await open(s, {}, async (f) => {
      writeFileSync(join(f.home, 'settings.json'), 'HTTPS_PROXY=http://proxy.example:3128\n');
    });
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Network settings' });
    const problem = dialog.locator('#settings-problem');
    await shows(problem, 'settings.json');
    await shows(problem, 'None of its values is used.');
    await state(
      s,
      '29b-settings-refused',
      'The Network settings dialog saying settings.json cannot be read and none of it is used, and that saving writes it anew.',
    );
    await dialog.getByLabel('Proxy').fill('http://proxy.example:3128');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await shows(dialog.locator('#settings-said'), 'Saved.');
    expect(await problem.count()).toBe(0);
  });
});
