// With a team's SkyPilot API server: the status names it and where its address comes
// from, no "Add <cloud>" (its admin enables clouds), and the servers list says whose
// each server is, the teardown of someone's server naming them before it asks.
import { describe, expect, it } from 'vitest';
import type { ServersAnswer } from '../../src/api.js';
import { startStandinApiServer } from '../standins/api-server.js';
import { available, open, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)("a team's API server", () => {
  it('is named with where its address comes from; clouds are its admin’s; servers show whose they are', async () => {
    const team = await startStandinApiServer();
    s.closers.push(() => team.close());
    await open(s, {}, async (f) => {
      await f.request('PUT', '/settings', { values: { CARAPACE_SKYPILOT_API_SERVER: team.url } });
    });
    await shows(s.page.locator('#status-details'), `your team’s, at ${team.url} (from Network settings)`);
    // Everyone's servers, as GET /servers answers with a team's server (ServersAnswer.all_users, Cluster.user).
    const answer: ServersAnswer = {
      installed: true,
      all_users: true,
      read_at: new Date().toISOString(),
      refreshed: false,
      servers: [
        {
          name: 'alice-1',
          infra: 'AWS (us-east-1a)',
          resources: '1x(cpus=2, mem=8, m6i.large, ...)',
          status: 'UP',
          autostop: '60m',
          launched: '5 mins ago',
          workspace: null,
          user: 'alice',
        },
      ],
    };
    await s.page.route(/\/servers$/, (route) => route.fulfill({ json: answer }));
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    const clouds = s.page.locator('#clouds-panel');
    await shows(clouds, 'its admin enables them');
    await clouds
      .getByText(/: Enabled/)
      .first()
      .waitFor();
    expect(await clouds.getByRole('button', { name: /^Add / }).count()).toBe(0);
    expect(await s.page.locator('#server-cloud option', { hasText: 'add it first' }).count()).toBe(0);
    const row = s.page.getByRole('row', { name: /alice-1/ });
    await shows(row.locator('td[data-label="Owner"]'), 'alice');
    await state(
      s,
      '28-team',
      "A team's API server: named with its source, clouds enabled by its admin, alice-1 with its owner.",
    );
    await s.page.getByRole('button', { name: 'Tear down alice-1' }).click();
    const dialog = s.page.getByRole('dialog');
    await shows(dialog, 'Tear down alice’s server alice-1?');
    await shows(dialog, 'It was launched by alice');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('set after a local check and not reachable: the list does not claim that clouds were added', async () => {
    const f = await open(s);
    const clouds = s.page.locator('#clouds-panel');
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await clouds.getByText('GCP: Not added').waitFor({ timeout: 30_000 });
    // Nothing listens on the discard port: the team's server cannot be reached.
    await f.request('PUT', '/settings', { values: { CARAPACE_SKYPILOT_API_SERVER: 'http://127.0.0.1:9' } });
    await shows(s.page.locator('#status-details'), 'your team’s, at http://127.0.0.1:9');
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await shows(clouds.getByRole('alert'), 'cannot be reached');
    await shows(clouds.getByRole('alert'), 'Network settings');
    expect(await clouds.getByText('Added, not checked yet').count()).toBe(0);
  });
});
