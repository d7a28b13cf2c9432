// A team's shared SkyPilot API server (SKYPILOT_API_SERVER_ENDPOINT), set from the
// page: every sky the app runs uses it, no local API server is started, two
// Carapace apps see each other's clusters, and its failures have their own codes.
import { afterEach, describe, expect, it } from 'vitest';
import type { InstallStatus } from '../../src/api.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { type StandinApiServer, startStandinApiServer } from '../standins/api-server.js';
import { cleanUpTemporaryFolders, type Fixture, startFixture, until } from '../support/fixture.js';
import { Listener } from '../support/sse.js';

const open: Fixture[] = [];
const listeners: Listener[] = [];
let team: StandinApiServer | undefined;
let mirror: Mirror | undefined;

afterEach(async () => {
  for (const listener of listeners.splice(0)) listener.close();
  for (const fixture of open.splice(0)) await fixture.close();
  await team?.close();
  await mirror?.close();
  team = undefined;
  mirror = undefined;
  cleanUpTemporaryFolders();
});

/** A Carapace app pointed at the team server from its settings, SkyPilot installed. */
async function teamApp(): Promise<Fixture> {
  mirror ??= await startMirror();
  team ??= await startStandinApiServer();
  const f = await startFixture({ mirror });
  open.push(f);
  const saved = await f.request('PUT', '/settings', { values: { CARAPACE_SKYPILOT_API_SERVER: team.url } });
  expect(saved.status).toBe(200);
  expect((await f.request('POST', '/install')).status).toBe(202);
  await until(() => f.server.store.status().state === 'installed', 'installed');
  return f;
}

async function launched(f: Fixture, name: string): Promise<void> {
  const listener = new Listener(f.server.url, { token: f.server.token });
  listeners.push(listener);
  const response = await f.request('POST', '/servers', { name });
  expect(response.status).toBe(202);
  const { operation_id: id } = (await response.json()) as { operation_id: string };
  const end = await listener.waitFor(
    (e) => e.type === 'operation' && e.data.operation_id === id && e.data.event === 'end',
    `the launch of ${name}`,
    30_000,
  );
  expect(end.data, JSON.stringify(end.data)).toMatchObject({ ok: true });
}

async function serverNames(f: Fixture): Promise<string[]> {
  const response = await f.request('GET', '/servers');
  expect(response.status).toBe(200);
  return ((await response.json()) as { servers: { name: string }[] }).servers.map((server) => server.name);
}

describe("a team's SkyPilot API server", () => {
  it('is named in /status, and no local API server is started', async () => {
    const f = await teamApp();
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    const status = (await (await f.request('GET', '/status')).json()) as InstallStatus;
    expect(status.api_server).toMatchObject({ endpoint: team?.url, team: true, running: false, pids: [] });
    expect(team?.clusterRequests()).toBeGreaterThan(0);
  });

  it("lets two Carapace apps see each other's clusters", async () => {
    const alice = await teamApp();
    const bob = await teamApp();
    await launched(alice, 'alice-1');
    expect(await serverNames(bob)).toEqual(['alice-1']);
    await launched(bob, 'bob-1');
    expect((await serverNames(alice)).sort()).toEqual(['alice-1', 'bob-1']);
  });

  it('that asks for a login (401) is reported as sky-api-unauthorized, with the login command', async () => {
    const f = await teamApp();
    team?.setMode('auth');
    const response = await f.request('POST', '/clouds/check');
    const body = (await response.json()) as { code: string; message: string; hint: string };
    expect(body.code).toBe('sky-api-unauthorized');
    expect(body.message).toContain(`the SkyPilot API server at ${team?.url} asks who you are`);
    expect(body.hint).toContain(`sky api login -e ${team?.url}`);
  });

  it('running a SkyPilot too old for this one is reported as sky-api-mismatch, in SkyPilot words', async () => {
    const f = await teamApp();
    team?.setMode('too-old');
    const body = (await (await f.request('POST', '/clouds/check')).json()) as { code: string; message: string };
    expect(body.code).toBe('sky-api-mismatch');
    expect(body.message).toContain(`the team's SkyPilot API server at ${team?.url} runs a version`);
    expect(body.message).toContain('Your SkyPilot API server version is too old: 0.9.3');
  });

  it('that cannot be reached is reported as sky-api-unreachable, pointing at Settings', async () => {
    const f = await teamApp();
    const url = team?.url;
    await team?.close();
    team = undefined;
    const body = (await (await f.request('GET', '/servers')).json()) as { code: string; message: string; hint: string };
    expect(body.code).toBe('sky-api-unreachable');
    expect(body.message).toContain(`the SkyPilot API server at ${url} cannot be reached`);
    expect(body.hint).toContain('Settings');
  });

  it('with a password in its address never shows the password', async () => {
    const f = await teamApp();
    const withPassword = (team?.url ?? '').replace('http://', 'http://team:pa55word@');
    await f.request('PUT', '/settings', { values: { CARAPACE_SKYPILOT_API_SERVER: withPassword } });
    const status = await until(() => {
      const current = f.server.store.status();
      return current.api_server.endpoint.includes('***') && current;
    }, 'the new endpoint in /status');
    expect(status.api_server.endpoint).toBe((team?.url ?? '').replace('http://', 'http://***@'));
    expect(JSON.stringify(await (await f.request('GET', '/settings')).json())).not.toContain('pa55word');
  });
});
