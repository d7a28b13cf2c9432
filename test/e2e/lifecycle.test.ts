// Update and Uninstall: the versions said; after an uninstall every panel says what is
// true, and the Servers panel says that servers launched before may still be billing.
import { describe, expect, it } from 'vitest';
import { available, open, reads, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('Update and Uninstall', () => {
  it('Update: the versions said', async () => {
    const f = await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    f.mirror.setSkypilotVersions(['1.0.0.dev20261120', '1.0.0.dev20261201']);
    await s.page.getByRole('button', { name: 'Update SkyPilot' }).click();
    await shows(s.page.locator('#log'), 'SkyPilot updated from 1.0.0.dev20261120 to 1.0.0.dev20261201');
    await shows(s.page.locator('#status-details'), '1.0.0.dev20261201');
    await shows(s.page.locator('#progress-title'), 'SkyPilot updated to 1.0.0.dev20261201');
    await state(
      s,
      '13-updated',
      'The Cloud tools panel showing SkyPilot 1.0.0.dev20261201, "SkyPilot updated to …" folded, the log saying it was updated from 20261120.',
    );
    // Nothing newer: nothing was updated, and the page does not say it was.
    await s.page.getByRole('button', { name: 'Update SkyPilot' }).click();
    await shows(s.page.locator('#progress-title'), 'SkyPilot is up to date (1.0.0.dev20261201)');
    expect(await s.page.locator('#progress-title').textContent()).not.toContain('updated');
  });

  it('Repair: not the page’s primary button, and it asks first', async () => {
    const f = await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    const repair = s.page.getByRole('button', { name: 'Repair…' });
    expect(await repair.getAttribute('class')).toBe('secondary');
    await repair.click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Repair the cloud tools?');
    await shows(dialog, 'your servers keep running');
    await state(
      s,
      '13b-confirm-repair',
      'A dialog "Repair the cloud tools?" saying what it does, with Repair and Cancel.',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(f.server.session.runs).toBe(1);
    await repair.click();
    await dialog.getByRole('button', { name: 'Repair' }).click();
    await shows(s.page.locator('#progress-title'), 'Cloud tools repaired');
    expect(f.server.session.runs).toBe(2);
  });

  it('Uninstall: every panel says what is true, and servers that may still bill are mentioned', async () => {
    await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    await shows(s.page.getByRole('row', { name: /web-1/ }), 'Running');
    await reads(s.page.locator('#launch-said'), 'Server web-1 is up.');
    await s.page.getByRole('button', { name: 'Uninstall…' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Uninstall the cloud tools?');
    // The servers that will go on billing, by name; one server is "it".
    await shows(dialog, 'web-1 keeps running, and billing. Tear it down first, or install again later to see it here.');
    await dialog.getByRole('button', { name: 'Uninstall' }).click();
    await reads(
      s.page.locator('#status-text'),
      'SkyPilot is not installed: the cloud tools were removed. Install them again to launch or list servers.',
    );
    // No panel says otherwise.
    await shows(s.page.locator('#progress-title'), 'Cloud tools removed');
    // What the panels show (the activity log keeps its history).
    const page = (await s.page.locator('main > .column').allInnerTexts()).join('\n');
    expect(page).not.toContain('Cloud tools installed');
    expect(page).not.toContain('AWS: Enabled');
    expect(page).not.toContain('No servers yet');
    // What the launch became was said before the uninstall: it is old news.
    expect(await s.page.locator('#launch-said').textContent()).toBe('');
    expect(await s.page.getByRole('row', { name: /web-1/ }).count()).toBe(0);
    const servers = s.page.locator('#servers-panel');
    await shows(servers, 'keep running, and billing');
    await shows(servers, 'install the cloud tools again to see them here');
    await state(
      s,
      '14-uninstalled',
      'After Uninstall: not installed, "Cloud tools removed", no clouds listed, the Servers panel warning that servers may still bill and how to see them again.',
    );
  });
});
