// A team's shared SkyPilot API server: every sky the app runs uses it, no local API
// server is started, its users see each other's clusters with whose each is, the
// checks and launches run on it (with its clouds), and its failures have their own
// codes. The stand-in server and sky behave as test/standins/README.md lists.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudCheckAnswer, InstallStatus, ServersAnswer } from '../../src/api.js';
import { runProcess } from '../../src/process/run.js';
import { writeSettingsFile } from '../../src/settings/file.js';
import { plainText } from '../../src/sky/text.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { type StandinApiServer, startStandinApiServer } from '../standins/api-server.js';
import {
  cleanUpTemporaryFolders,
  type Fixture,
  type FixtureOptions,
  startFixture,
  temporaryFolder,
  until,
} from '../support/fixture.js';
import { pathWithout } from '../support/path.js';
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

async function teamServer(): Promise<StandinApiServer> {
  team ??= await startStandinApiServer();
  return team;
}

/** A Carapace app of one user, SkyPilot installed, pointed at the team server from its settings (unless told otherwise). */
async function teamApp(user: string, options: FixtureOptions & { viaSettings?: boolean } = {}): Promise<Fixture> {
  mirror ??= await startMirror();
  const server = await teamServer();
  const f = await startFixture({ ...options, mirror, env: { USER: user, ...options.env } });
  open.push(f);
  if (options.viaSettings !== false) {
    const saved = await f.request('PUT', '/settings', { values: { CARAPACE_SKYPILOT_API_SERVER: server.url } });
    expect(saved.status).toBe(200);
  }
  expect((await f.request('POST', '/install')).status).toBe(202);
  await until(() => f.server.store.status().state === 'installed', 'installed');
  return f;
}

async function launched(f: Fixture, body: Record<string, unknown>): Promise<void> {
  const end = await launchEnd(f, body);
  expect(end, JSON.stringify(end)).toMatchObject({ ok: true });
}

/** The data of the end event of a launch. */
async function launchEnd(f: Fixture, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const listener = new Listener(f.server.url, { token: f.server.token });
  listeners.push(listener);
  const response = await f.request('POST', '/servers', body);
  expect(response.status, await response.clone().text()).toBe(202);
  const { operation_id: id } = (await response.json()) as { operation_id: string };
  const end = await listener.waitFor(
    (e) => e.type === 'operation' && e.data.operation_id === id && e.data.event === 'end',
    `the launch of ${String(body.name)}`,
    30_000,
  );
  return end.data;
}

/** The team server is the one sky's config names, and the checks are its own. */
async function expectTeamFromConfig(f: Fixture): Promise<void> {
  await f.server.store.refreshApiServer();
  expect(f.server.store.status().api_server).toMatchObject({ endpoint: team?.url, team: true, source: 'config' });
  const answer = (await (await f.request('POST', '/clouds/check')).json()) as CloudCheckAnswer;
  expect(answer.enabled.map((cloud) => cloud.name)).toEqual(['AWS', 'Kubernetes']);
}

async function servers(f: Fixture): Promise<ServersAnswer> {
  const response = await f.request('GET', '/servers');
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ServersAnswer;
}

describe("a team's SkyPilot API server", () => {
  it("is named in /status with where it is set, no local API server is started, and the clouds are the server's", async () => {
    const f = await teamApp('alice');
    const check = await f.request('POST', '/clouds/check');
    expect(check.status).toBe(200);
    const answer = (await check.json()) as CloudCheckAnswer;
    // The server has AWS and Kubernetes; this Carapace has only AWS's libraries.
    expect(answer.enabled.map((cloud) => cloud.name)).toEqual(['AWS', 'Kubernetes']);
    // Every other cloud the server checked (a full check lists them all), each left to its admin.
    expect(answer.disabled.map((cloud) => cloud.name)).toContain('Cloudflare');
    for (const cloud of answer.disabled) {
      expect(cloud.missing_extra, cloud.name).toBeNull();
      expect(cloud.reasons[0]?.text, cloud.name).toContain("by the server's admin");
    }
    const status = (await (await f.request('GET', '/status')).json()) as InstallStatus;
    expect(status.api_server).toMatchObject({
      endpoint: team?.url,
      team: true,
      source: 'settings',
      restart_pending: false,
      running: false,
      pids: [],
    });
  });

  it("lets two Carapace apps see each other's clusters, with whose each is", async () => {
    const alice = await teamApp('alice');
    const bob = await teamApp('bob');
    await launched(alice, { name: 'alice-1' });
    const seenByBob = await servers(bob);
    expect(seenByBob).toMatchObject({
      all_users: true,
      refreshed: false,
      servers: [{ name: 'alice-1', user: 'alice' }],
    });
    expect(Date.parse(seenByBob.read_at ?? '')).not.toBeNaN();
    await launched(bob, { name: 'bob-1' });
    const seenByAlice = await servers(alice);
    expect(
      seenByAlice.servers.map(({ name, user }) => ({ name, user })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual([
      { name: 'alice-1', user: 'alice' },
      { name: 'bob-1', user: 'bob' },
    ]);
    // sky status without -u lists the caller's own clusters only (command.py, status).
    const own = await runProcess(join(bob.home, 'tools/bin/sky'), ['status'], {
      env: { ...bob.env, SKYPILOT_API_SERVER_ENDPOINT: team?.url },
    }).result;
    expect(own.stdout).toContain('bob-1');
    expect(own.stdout).not.toContain('alice-1');
    // The server's enabled infra (command.py, _show_enabled_infra; core.enabled_clouds, expand=True).
    expect(plainText(own.stdout).split('\n')[0]).toBe('Enabled Infra: kubernetes/kind-skypilot, aws');
  });

  it("keeps a launch's cluster while other sky commands read the clusters meanwhile", async () => {
    const f = await teamApp('alice', { env: { STANDIN_SKY_LAUNCH_SECONDS: '2' } });
    let reading = true;
    const readers = Array.from({ length: 3 }, async () => {
      while (reading) await (await f.request('GET', '/servers?refresh=true')).arrayBuffer();
    });
    try {
      await launched(f, { name: 'busy-1' });
    } finally {
      reading = false;
      await Promise.all(readers);
    }
    expect((await servers(f)).servers).toMatchObject([{ name: 'busy-1', status: 'UP' }]);
  });

  it('runs checks and launches on the server: no local cloud libraries, ssh or rsync needed, no Add offered', async () => {
    const f = await teamApp('alice', { env: { PATH: pathWithout(['ssh', 'rsync']) } });
    await launched(f, { name: 'k8s-1', cloud: 'kubernetes', region: 'kind-skypilot' });
    // INFRA as infra_utils.InfraInfo.formatted_str prints it: the cloud's name, the context.
    expect((await servers(f)).servers).toMatchObject([
      { name: 'k8s-1', status: 'UP', infra: 'Kubernetes (kind-skypilot)' },
    ]);
    // A context the server does not allow is refused on its own, though Kubernetes is enabled
    // (the optimizer's check_specified_regions).
    const refused = await launchEnd(f, { name: 'k8s-2', cloud: 'kubernetes', region: 'gke_team_us-central1-c_main' });
    expect(refused).toMatchObject({
      ok: false,
      code: 'sky-failed',
      message: expect.stringContaining(
        'Task requires infra Kubernetes/gke_team_us-central1-c_main which is not enabled.',
      ),
    });
    expect((await servers(f)).servers.map((server) => server.name)).toEqual(['k8s-1']);
    // `sky check <cloud>` on the server checks and prints that cloud alone (sky/check.py).
    const one = await runProcess(join(f.home, 'tools/bin/sky'), ['check', 'kubernetes'], {
      env: { ...f.env, SKYPILOT_API_SERVER_ENDPOINT: team?.url },
    }).result;
    expect(
      plainText(one.stdout)
        .split('\n')
        .filter((line) => /^ {2}\S.*: (en|dis)abled/.test(line)),
    ).toEqual(['  Kubernetes: enabled [compute]']);
    const add = await f.request('POST', '/clouds/gcp/enable');
    expect(add.status).toBe(400);
    expect(await add.json()).toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('by its admin'),
    });
    expect(f.uvInstalls()).toBe(1);
  });

  it('is never stopped: Carapace runs no sky api stop for it, and one run by hand is refused (sdk.py, api_stop)', async () => {
    const f = await teamApp('alice', { env: { HTTPS_PROXY: 'http://proxy.example:3128' } });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    await launched(f, { name: 'web-1' });
    const runs = readdirSync(join(f.root, 'uv-runs'))
      .filter((name) => name.startsWith('sky-run.'))
      .map((name) => readFileSync(join(f.root, 'uv-runs', name), 'utf8'));
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.filter((run) => /^argv: api stop$/m.test(run))).toEqual([]);
    const stop = await runProcess(join(f.home, 'tools/bin/sky'), ['api', 'stop'], {
      env: { ...f.env, SKYPILOT_API_SERVER_ENDPOINT: team?.url },
    }).result;
    expect(stop.exitCode).toBe(1);
    expect(stop.stderr).toContain(
      `RuntimeError: Cannot kill the API server at ${team?.url} because it is not the default SkyPilot API server started locally.`,
    );
  });

  it('is the one sky api login wrote to ~/.sky/config.yaml when nothing else sets one', async () => {
    const f = await teamApp('alice', { viaSettings: false });
    mkdirSync(join(f.userHome, '.sky'), { recursive: true });
    writeFileSync(join(f.userHome, '.sky/config.yaml'), `api_server:\n  endpoint: ${team?.url}/\n`);
    await expectTeamFromConfig(f);
  });

  it('is the one .sky.yaml names in CARAPACE_HOME, where every sky runs: its project config lies over ~/.sky/config.yaml', async () => {
    const f = await teamApp('alice', { viaSettings: false });
    mkdirSync(join(f.userHome, '.sky'), { recursive: true });
    writeFileSync(join(f.userHome, '.sky/config.yaml'), 'api_server:\n  endpoint: http://127.0.0.1:9\n');
    writeFileSync(join(f.home, '.sky.yaml'), `api_server:\n  endpoint: ${team?.url}\n`);
    await expectTeamFromConfig(f);
  });

  it("is SKYPILOT_API_SERVER_ENDPOINT when Carapace's environment sets it, over the saved setting", async () => {
    const server = await teamServer();
    const f = await teamApp('alice', { env: { SKYPILOT_API_SERVER_ENDPOINT: server.url } });
    await f.request('PUT', '/settings', { values: { CARAPACE_SKYPILOT_API_SERVER: 'http://127.0.0.1:9' } });
    expect(f.server.store.status().api_server).toMatchObject({ endpoint: server.url, source: 'environment' });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
  });

  it('is none of them when SKYPILOT_API_SERVER_ENDPOINT is set but empty: sky is given no empty address', async () => {
    const f = await teamApp('alice', { viaSettings: false, env: { SKYPILOT_API_SERVER_ENDPOINT: '' } });
    expect(f.server.store.status().api_server).toMatchObject({ source: 'default', team: false });
    const check = await f.request('POST', '/clouds/check');
    expect(check.status, await check.clone().text()).toBe(200);
    expect(((await check.json()) as CloudCheckAnswer).enabled.map((cloud) => cloud.name)).toEqual(['AWS']);
  });

  it("sends a request only the client's variables payloads.py forwards: no config paths, no server-owned ones", async () => {
    const project = join(temporaryFolder('project'), 'project.yaml');
    writeFileSync(project, 'kubernetes:\n  allowed_contexts: [kind-skypilot]\n');
    const f = await teamApp('alice', {
      env: {
        SKYPILOT_DISABLE_USAGE_COLLECTION: '1',
        SKYPILOT_PROJECT_CONFIG: project,
        SKYPILOT_SERVER_ROLE_HINT: 'x',
        SKYPILOT_DB_CONNECTION_URI: 'postgresql://db.example/sky',
        SKYPILOT_SERVICE_ACCOUNT_TOKEN: 'sky_standin',
      },
    });
    await launched(f, { name: 'env-1' });
    const records = join(f.root, 'uv-runs');
    const requests = readdirSync(records)
      .filter((name) => name.startsWith('sky-request.'))
      .map((name) => readFileSync(join(records, name), 'utf8'));
    expect(requests).toHaveLength(1);
    const names = (requests[0] ?? '').split('\n').map((line) => line.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['SKYPILOT_DISABLE_USAGE_COLLECTION', 'SKYPILOT_USER_ID']));
    for (const removed of [
      'SKYPILOT_API_SERVER_ENDPOINT',
      'SKYPILOT_PROJECT_CONFIG',
      'SKYPILOT_SERVER_ROLE_HINT',
      'SKYPILOT_DB_CONNECTION_URI',
      'SKYPILOT_SERVICE_ACCOUNT_TOKEN',
    ]) {
      expect(names, removed).not.toContain(removed);
    }
  });

  it('behind a login (health says needs_auth) is sky-api-unauthorized, with a login command that works', async () => {
    const f = await teamApp('alice');
    team?.setMode('auth');
    const health = (version: string) =>
      fetch(`${team?.url}/api/health`, { headers: { 'X-SkyPilot-API-Version': version } });
    expect((await (await health('90')).json()) as { status: string }).toMatchObject({ status: 'needs_auth' });
    expect((await health('13')).status).toBe(401);
    // A probe that sends no version (a load balancer's) gets the bare answer, without version headers.
    const probe = await fetch(`${team?.url}/api/health`);
    expect(await probe.json()).toEqual({ status: 'healthy' });
    expect(probe.headers.get('x-skypilot-api-version')).toBeNull();
    const response = await f.request('POST', '/clouds/check');
    const body = (await response.json()) as { code: string; message: string; hint: string };
    expect(body.code).toBe('sky-api-unauthorized');
    expect(body.message).toContain(`the SkyPilot API server at ${team?.url} asks who you are`);
    expect(body.hint).toContain(`'${join(f.home, 'tools/bin/sky')}' api login -e ${team?.url}`);
  });

  it('running a SkyPilot too old for this one is reported as sky-api-mismatch, in SkyPilot words', async () => {
    const f = await teamApp('alice');
    team?.setMode('too-old');
    const body = (await (await f.request('POST', '/clouds/check')).json()) as { code: string; message: string };
    expect(body.code).toBe('sky-api-mismatch');
    expect(body.message).toContain(`the team's SkyPilot API server at ${team?.url} runs a version`);
    expect(body.message).toContain('Your SkyPilot API server version is too old: 0.9.3');
    expect(body.message).toContain('the minimum compatible version is 0.11.0');
  });

  it('that cannot be reached is reported as sky-api-unreachable, pointing at Network settings', async () => {
    const f = await teamApp('alice');
    const url = team?.url;
    await team?.close();
    team = undefined;
    const body = (await (await f.request('GET', '/servers')).json()) as { code: string; message: string; hint: string };
    expect(body.code).toBe('sky-api-unreachable');
    expect(body.message).toContain(`the SkyPilot API server at ${url} cannot be reached`);
    expect(body.hint).toContain('the team server address in Network settings');
  });

  it('with a password in its address never shows the password, and logs in without it', async () => {
    const f = await teamApp('alice');
    const withPassword = (team?.url ?? '').replace('http://', 'http://team:pa55word@');
    // Refused over plain http by PUT /settings (src/settings/address.ts): the stand-in team server has no
    // TLS, so the address is saved as an older Carapace, or a hand edit, left it.
    writeSettingsFile(join(f.home, 'settings.json'), { CARAPACE_SKYPILOT_API_SERVER: withPassword });
    f.server.store.settingsChanged();
    const status = await until(() => {
      const current = f.server.store.status();
      return current.api_server.endpoint.includes('***') && current;
    }, 'the new endpoint in /status');
    expect(status.api_server.endpoint).toBe((team?.url ?? '').replace('http://', 'http://***@'));
    expect(JSON.stringify(await (await f.request('GET', '/settings')).json())).not.toContain('pa55word');
    team?.setMode('auth');
    const refused = (await (await f.request('POST', '/clouds/check')).json()) as { hint: string };
    expect(refused.hint).toContain(` api login -e ${team?.url} `);
    expect(JSON.stringify(refused)).not.toContain('pa55word');
    expect(readFileSync(join(f.home, 'settings.json'), 'utf8')).toContain('pa55word');
  });
});
