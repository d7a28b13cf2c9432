// What the page needs of the server, through HTTP and the event stream: a running
// install can be cancelled (the script stops cleanly and the next install works);
// install events say what their run does; the last Check Clouds is updated in place
// by Add <cloud>, and forgotten once SkyPilot is uninstalled; a launch waiting for the
// install is in the snapshot and told to every client.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CheckedClouds, CloudEnableAnswer, InstallCancelAnswer, InstallStatus, Snapshot } from '../../src/api.js';
import { withCloudsOf } from '../../src/clouds.js';
import { layoutOf } from '../../src/contract.js';
import { type Fixture, until } from '../support/fixture.js';
import { fixturePerTest } from '../support/per-test.js';
import { Listener } from '../support/sse.js';

const suite = fixturePerTest();

async function installed(f: Fixture): Promise<void> {
  expect((await f.request('POST', '/install')).status).toBe(202);
  await until(() => f.server.store.status().state === 'installed', 'installed');
}

/** The snapshot a new client gets now. */
async function snapshot(f: Fixture): Promise<Snapshot> {
  const listener = new Listener(f.server.url, { token: f.server.token });
  try {
    return (await listener.waitFor((e) => e.type === 'snapshot', 'a snapshot')).data as unknown as Snapshot;
  } finally {
    listener.close();
  }
}

describe('POST /install/cancel', () => {
  it('stops the running install: code interrupted, nothing half-installed, the lock released', async () => {
    const f = await suite.open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 100_000 }]);
    const started = (await (await f.request('POST', '/install')).json()) as { install_id: string };
    await suite.listener().waitFor((e) => e.type === 'install' && e.data.phase === 'downloading', 'the download');
    const response = await f.request('POST', '/install/cancel');
    expect(response.status).toBe(200);
    const answer = (await response.json()) as InstallCancelAnswer;
    expect(answer.install_id).toBe(started.install_id);
    const end = await suite
      .listener()
      .waitFor((e) => e.type === 'install' && e.data.phase === 'error', 'the end of the install', 20_000);
    expect(end.data).toMatchObject({ install_id: started.install_id, code: 'interrupted' });
    await until(() => f.server.store.status().state !== 'installing', 'the install to end');
    const status = (await (await f.request('GET', '/status')).json()) as InstallStatus;
    expect(status.last_error?.code).toBe('interrupted');
    const layout = layoutOf(f.home);
    expect(existsSync(layout.lock)).toBe(false);
    expect(existsSync(layout.staging)).toBe(false);
    // The next install is not held up by anything the cancelled one left.
    f.mirror.reset();
    await installed(f);
  });

  it('says so when nothing runs', async () => {
    const f = await suite.open();
    const answer = (await (await f.request('POST', '/install/cancel')).json()) as InstallCancelAnswer;
    expect(answer).toEqual({ install_id: null, message: 'No installation was running.' });
  });
});

describe('install events', () => {
  it('say what their run does: install, add-cloud with its cloud, uninstall', async () => {
    const f = await suite.open();
    await installed(f);
    expect((await f.request('POST', '/clouds/gcp/enable')).status).toBe(200);
    expect((await f.request('POST', '/uninstall')).status).toBe(202);
    await suite
      .listener()
      .waitFor((e) => e.type === 'install' && e.data.job === 'uninstall' && e.data.phase === 'complete', 'uninstalled');
    const jobs = suite
      .listener()
      .of('install')
      .map((e) => `${e.data.job}${e.data.cloud ? ` ${e.data.cloud}` : ''}`);
    expect([...new Set(jobs)]).toEqual(['install', 'add-cloud gcp', 'uninstall']);
  });
});

describe('a launch that waits for the cloud tools', () => {
  it('is in the snapshot, and every client is told when it starts and stops waiting', async () => {
    const f = await suite.open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    await suite.listener().waitFor((e) => e.type === 'snapshot', 'connected');
    // Answered once SkyPilot is there and the launch starts: not awaited yet.
    const answer = f.request('POST', '/servers', { name: 'web-9' });
    const waits = (names: string[]) => (e: { type: string; data: Record<string, unknown> }) =>
      e.type === 'waiting' && JSON.stringify(e.data.launches) === JSON.stringify(names);
    await suite.listener().waitFor(waits(['web-9']), 'web-9 waiting');
    expect((await snapshot(f)).waiting_launches).toEqual(['web-9']);
    await suite.listener().waitFor(waits([]), 'the wait over', 60_000);
    const response = await answer;
    expect(response.status).toBe(202);
    expect((await snapshot(f)).waiting_launches).toEqual([]);
    const { operation_id } = (await response.json()) as { operation_id: string };
    await suite
      .listener()
      .waitFor(
        (e) => e.type === 'operation' && e.data.operation_id === operation_id && e.data.event === 'end',
        'the launch to end',
        30_000,
      );
  });
});

describe('the last check', () => {
  it('is updated in place by Add <cloud>, kept in the snapshot, and forgotten by an uninstall', async () => {
    const f = await suite.open();
    const full = (await (await f.request('POST', '/clouds/check')).json()) as CheckedClouds;
    // The answer says when it was checked, as the snapshot will.
    expect(Number.isNaN(Date.parse(full.checked_at))).toBe(false);
    expect((await snapshot(f)).last_check).toEqual(full);
    const names = (check: CheckedClouds) =>
      [...check.enabled, ...check.disabled].map((cloud) => cloud.name).sort((a, b) => a.localeCompare(b));
    expect(full.disabled.map((cloud) => cloud.name)).toContain('GCP');
    const added = (await (await f.request('POST', '/clouds/gcp/enable')).json()) as CloudEnableAnswer;
    expect(added.check.disabled.map((cloud) => cloud.name)).toEqual(['GCP']);
    const last = added.last_check;
    expect(last && names(last)).toEqual(names(full));
    // GCP's entry is the new one (its libraries are there now; it still lacks credentials).
    expect(last?.disabled.find((cloud) => cloud.name === 'GCP')).toEqual(added.check.disabled[0]);
    expect(last?.enabled).toEqual(full.enabled);
    expect((await snapshot(f)).last_check).toEqual(last);
    expect((await f.request('POST', '/uninstall')).status).toBe(202);
    await until(() => f.server.store.status().state === 'not_installed', 'uninstalled');
    expect((await snapshot(f)).last_check).toBeNull();
  });

  it('withCloudsOf: the clouds of a one-cloud check replace theirs, enabled or not, in every workspace', () => {
    const full: CheckedClouds = {
      enabled: [{ name: 'AWS', capabilities: ['compute'] }],
      disabled: [
        { name: 'GCP', reasons: [{ capabilities: [], text: 'no libraries' }], missing_extra: 'gcp' },
        { name: 'Azure', reasons: [{ capabilities: [], text: 'no libraries' }], missing_extra: 'azure' },
      ],
      workspaces: [{ workspace: 'default', enabled: [{ name: 'AWS', capabilities: ['compute'] }] }],
      raw: 'full',
      checked_at: '2026-12-03T08:00:00.000Z',
    };
    const gcp = { name: 'GCP', capabilities: ['compute', 'storage'] };
    const merged = withCloudsOf(full, {
      enabled: [gcp],
      disabled: [],
      workspaces: [{ workspace: 'default', enabled: [gcp] }],
      raw: 'one',
    });
    expect(merged.enabled.map((cloud) => cloud.name)).toEqual(['AWS', 'GCP']);
    expect(merged.disabled.map((cloud) => cloud.name)).toEqual(['Azure']);
    expect(merged.workspaces[0]?.enabled.map((cloud) => cloud.name)).toEqual(['AWS', 'GCP']);
    expect(merged.checked_at).toBe(full.checked_at);
  });
});
