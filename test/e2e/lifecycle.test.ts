// Update and Uninstall.
import { describe, it } from 'vitest';
import { available, open, reads, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('Update and Uninstall', () => {
  it('Update and Uninstall: the versions said, the uninstall confirmed', async () => {
    const f = await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
    f.mirror.setSkypilotVersions(['1.0.0.dev20261120', '1.0.0.dev20261201']);
    await s.page.getByRole('button', { name: 'Update SkyPilot' }).click();
    await shows(s.page.locator('#log'), 'SkyPilot updated from 1.0.0.dev20261120 to 1.0.0.dev20261201');
    await shows(s.page.locator('#status-details'), '1.0.0.dev20261201');
    await state(
      s,
      '12-updated',
      'The Cloud tools panel showing SkyPilot 1.0.0.dev20261201, the log saying it was updated from 20261120.',
    );
    await s.page.getByRole('button', { name: 'Uninstall…' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Uninstall the cloud tools?');
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await reads(
      s.page.locator('#status-text'),
      'SkyPilot is not installed yet. It installs itself when you check clouds or launch a server.',
    );
  });
});
