// Update and Uninstall: the versions said; after an uninstall every panel says what is
// true, and the Servers panel says that servers launched before may still be billing.
import { describe, expect, it } from 'vitest';
import { available, open, reads, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('Update and Uninstall', () => {
  it('Update: the versions said', async () => {
    const f = await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
    f.mirror.setSkypilotVersions(['1.0.0.dev20261120', '1.0.0.dev20261201']);
    await s.page.getByRole('button', { name: 'Update SkyPilot' }).click();
    await shows(s.page.locator('#log'), 'SkyPilot updated from 1.0.0.dev20261120 to 1.0.0.dev20261201');
    await shows(s.page.locator('#status-details'), '1.0.0.dev20261201');
    await shows(s.page.locator('#progress-title'), 'SkyPilot updated');
    await state(
      s,
      '13-updated',
      'The Cloud tools panel showing SkyPilot 1.0.0.dev20261201, "SkyPilot updated" folded, the log saying it was updated from 20261120.',
    );
  });

  it('Uninstall: every panel says what is true, and servers that may still bill are mentioned', async () => {
    await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    await shows(s.page.getByRole('row', { name: /web-1/ }), 'Running');
    await s.page.getByRole('button', { name: 'Uninstall…' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Uninstall the cloud tools?');
    await shows(dialog, 'keep running, and billing');
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
    expect(page).not.toContain('AWS: enabled');
    expect(page).not.toContain('No servers yet');
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
