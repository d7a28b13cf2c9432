// The server against the real programs' behaviour, as the stand-ins imitate it from
// test/fixtures/real/: teardowns that fail yet exit 0, SkyPilot's lingering local API
// server and the environment it keeps, what a launch needs on this machine, uv's
// failures, workspaces, old SkyPilots, cloud libraries, CPython's variables, autostop
// the cloud cannot do, and launches that go on in SkyPilot after Carapace stops.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloudCheckAnswer, InstallStatus, ServersAnswer } from '../../src/api.js';
import { runProcess } from '../../src/process/run.js';
import { CLOUDS } from '../../src/sky/clouds.js';
import { PYTHON_VARIABLES } from '../../src/sky/environment.js';
import { plainText } from '../../src/sky/text.js';
import { startEnvironment } from '../../src/status/api-server.js';
import { standin } from '../mirror/artifacts.js';
import { type Fixture, standinSkyOnPath, temporaryFolder, until } from '../support/fixture.js';
import { pathWithout } from '../support/path.js';
import { fixturePerTest } from '../support/per-test.js';
import { realOutput } from '../support/real.js';
import type { Received } from '../support/sse.js';

const suite = fixturePerTest();
const open = suite.open;
const listen = suite.listener;

function ended(operationId: string): Promise<Received> {
  return listen().waitFor(
    (e) => e.type === 'operation' && e.data.operation_id === operationId && e.data.event === 'end',
    `operation ${operationId} to end`,
    30_000,
  );
}

async function launch(f: Fixture, body: Record<string, unknown>): Promise<string> {
  const response = await f.request('POST', '/servers', body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { operation_id: string }).operation_id;
}

async function servers(f: Fixture): Promise<{ name: string; status: string }[]> {
  return ((await (await f.request('GET', '/servers')).json()) as { servers: { name: string; status: string }[] })
    .servers;
}

/** What the stand-in recorded of each sky run: its arguments and environment (STANDIN_RECORD_DIR). */
function recorded(f: Fixture, prefix: 'sky-run.' | 'sky-request.'): string[] {
  const records = join(f.root, 'uv-runs');
  return readdirSync(records)
    .filter((name) => name.startsWith(prefix))
    .map((name) => readFileSync(join(records, name), 'utf8'));
}

describe('tearing down', () => {
  it.each([
    ['runtime', "RuntimeError: Failed to terminate 'web-1'. If you want to ignore this error"],
    ['owner', "'web-1' (AWS) is owned by account '111111111111'"],
  ])(
    'a sky down that fails (%s) yet exits 0 is not reported done while the cluster is listed',
    async (mode, reason) => {
      const f = await open();
      await ended(await launch(f, { name: 'web-1' }));
      await f.restart({ STANDIN_SKY_DOWN_FAILS: mode });
      suite.relisten();
      const g = f;
      const down = await g.request('DELETE', '/servers/web-1');
      expect(down.status).toBe(202);
      const end = await ended(((await down.json()) as { operation_id: string }).operation_id);
      expect(end.data).toMatchObject({ ok: false, code: 'sky-failed', exit_code: 0 });
      expect(String(end.data.message)).toContain(reason);
      // SkyPilot's status in words, one period after its reason.
      expect(String(end.data.message)).toContain('. web-1 is still listed as running and may still be billing.');
      expect(String(end.data.message)).not.toContain('..');
      expect(await servers(g)).toMatchObject([{ name: 'web-1', status: 'UP' }]);
    },
  );

  it('a sky down that works is confirmed by sky status before it is called done', async () => {
    const f = await open();
    await ended(await launch(f, { name: 'web-1' }));
    const down = await f.request('DELETE', '/servers/web-1');
    const end = await ended(((await down.json()) as { operation_id: string }).operation_id);
    expect(end.data).toMatchObject({ ok: true, message: 'Server web-1 was torn down.' });
    const lines = listen()
      .of('operation')
      .filter((e) => e.data.operation_id === end.data.operation_id && e.data.event === 'line')
      .map((e) => e.data.line);
    expect(lines).toContain('Terminating cluster web-1...done.');
    expect(lines).toContain('Clusters');
    expect(await servers(f)).toEqual([]);
  });
});

describe("SkyPilot's local API server", () => {
  it('SkyPilot upgraded under a running local server: the command goes on with its warning, and Repair restarts the server', async () => {
    const f = await open();
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    // SkyPilot replaced under a running API server, as a hand-made upgrade does.
    const envSky = join(f.home, 'tools/envs/skypilot-nightly/bin/sky');
    writeFileSync(envSky, standin('sky', { SKY_VERSION: '1.0.0.dev20261201' }));
    const warning = realOutput('sky-api-server-install-mismatch', {
      SERVER_VERSION: '1.0.0.dev20261120',
      VERSION_ON_DISK: '1.0.0.dev20261201',
    }).stdout;
    const checkLines = async () => {
      const check = await f.request('POST', '/clouds/check');
      expect(check.status, await check.clone().text()).toBe(200);
      return listen()
        .of('operation')
        .filter((e) => e.data.kind === 'check' && e.data.event === 'line')
        .map((e) => String(e.data.line));
    };
    // sky/server/common.py, check_server_healthy: a warning, not an APIVersionMismatchError.
    const before = await checkLines();
    expect(before).toContain(plainText(warning).split('\n')[0]);
    expect(before).toContain('installed API server version: 1.0.0.dev20261201');
    expect((await f.request('POST', '/install', { force: true })).status).toBe(202);
    await until(() => f.server.session.runs === 2 && f.server.store.status().state === 'installed', 'the repair');
    expect(
      listen()
        .of('install')
        .map((e) => e.data.message),
    ).toContain("SkyPilot's local API server is stopped");
    const seen = before.length;
    expect((await checkLines()).slice(seen)).not.toContain('installed API server version: 1.0.0.dev20261201');
  });

  it('CARAPACE_SKYPILOT_TELEMETRY=0 reaches every sky run as SKYPILOT_DISABLE_USAGE_COLLECTION=1', async () => {
    const f = await open({ env: { CARAPACE_SKYPILOT_TELEMETRY: '0' } });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    const records = join(f.root, 'uv-runs');
    const skyRuns = readdirSync(records).filter((name) => name.startsWith('sky-run.'));
    expect(skyRuns.length).toBeGreaterThan(1);
    for (const run of skyRuns) {
      expect(readFileSync(join(records, run), 'utf8'), run).toContain('\nSKYPILOT_DISABLE_USAGE_COLLECTION=1\n');
    }
  });
});

describe("the local API server's environment", () => {
  it('restarts with a proxy and CA bundle saved after it started, before the next command, never while a request runs', async () => {
    const f = await open({ env: { STANDIN_SKY_LAUNCH_SECONDS: '3' } });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    const first = await until(() => f.server.store.status().api_server.pids[0], 'the local API server');
    expect(f.server.store.status().api_server.restart_pending).toBe(false);
    const id = await launch(f, { name: 'web-1' });
    await listen().waitFor((e) => e.data.operation_id === id && e.data.event === 'cancellable', 'the request id');
    // A CA bundle is saved only as the path of a file that can be read.
    const bundle = join(f.root, 'corp.pem');
    writeFileSync(bundle, '-----BEGIN CERTIFICATE-----\n');
    const saved = await f.request('PUT', '/settings', {
      values: { HTTPS_PROXY: 'http://proxy.example:3128', SSL_CERT_FILE: bundle },
    });
    expect(saved.status).toBe(200);
    expect(((await (await f.request('GET', '/status')).json()) as InstallStatus).api_server.restart_pending).toBe(true);
    // A read while the launch runs in the API server: no restart under it.
    expect((await f.request('GET', '/servers')).status).toBe(200);
    await f.server.store.refreshApiServer();
    expect(f.server.store.status().api_server).toMatchObject({ pids: [first], restart_pending: true });
    // Stopping the server would have ended the launch's request with it.
    expect(await ended(id)).toMatchObject({ data: { ok: true } });
    // The first command once nothing runs (here the launch's own `sky status web-1`): stopped, then started again by it.
    const restarted = await until(() => {
      const pid = f.server.store.status().api_server.pids[0];
      return pid !== undefined && pid !== first && pid;
    }, 'a new local API server');
    expect(f.server.store.status().api_server.pids).toEqual([restarted]);
    expect(startEnvironment(restarted)).toMatchObject({
      HTTPS_PROXY: 'http://proxy.example:3128',
      // Python's requests reads only this one (the Google and Azure clients use requests).
      REQUESTS_CA_BUNDLE: bundle,
    });
    expect(f.server.store.status().api_server.restart_pending).toBe(false);
    // A request runs with the server's environment (sky/server/requests/payloads.py forwards no proxy).
    expect(await ended(await launch(f, { name: 'web-2' }))).toMatchObject({ data: { ok: true } });
    const requests = recorded(f, 'sky-request.');
    expect(requests).toHaveLength(2);
    expect(requests.filter((env) => /^HTTPS_PROXY=http:\/\/proxy\.example:3128$/m.test(env))).toHaveLength(1);
  });

  it("lets sky's checks run the aws the aws extra installs beside it: without that folder on PATH, AWS is not enabled", async () => {
    // No other aws on the server's PATH either (a machine may have one): only the extra's can enable AWS.
    const f = await open({ env: { PATH: pathWithout(['aws']) } });
    expect((await f.request('POST', '/install')).status).toBe(202);
    await until(() => f.server.store.status().state === 'installed', 'installed');
    // A sky run by hand, with its own HOME (its own local API server), no aws anywhere on its PATH.
    const env = { HOME: temporaryFolder('sky-home'), PATH: pathWithout(['aws']), AWS_ACCESS_KEY_ID: 'AKIA-STANDIN' };
    const sky = join(f.home, 'tools/bin/sky');
    const alone = await runProcess(sky, ['check', 'aws'], { env }).result;
    await runProcess(sky, ['api', 'stop'], { env }).result;
    expect(alone.exitCode).toBe(0);
    expect(plainText(alone.stdout)).toContain('  AWS: disabled');
    expect(alone.stdout).toContain('AWS dependencies are not installed.');
    // Carapace puts sky's own bin folder on the PATH of every sky it runs (src/sky/environment.ts).
    const check = (await (await f.request('POST', '/clouds/check')).json()) as CloudCheckAnswer;
    expect(check.enabled.map((cloud) => cloud.name)).toContain('AWS');
  });

  it("keeps CPython's variables away from sky: a PYTHONHOME would stop it before it starts", async () => {
    // Every one of them set, as a user's shell inside a virtualenv or conda might have them.
    const python = Object.fromEntries(PYTHON_VARIABLES.map((name) => [name, `/elsewhere/${name}`]));
    const f = await open({ env: { ...python, PYTHONHOME: '/nonexistent' } });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    const runs = recorded(f, 'sky-run.');
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) for (const name of PYTHON_VARIABLES) expect(run).not.toMatch(new RegExp(`^${name}=`, 'm'));
    // What the stand-in does then, as CPython does (Python/pylifecycle.c, init_fs_encoding).
    const direct = await runProcess(join(f.home, 'tools/bin/sky'), ['status'], { env: f.env }).result;
    expect(direct.exitCode).toBe(1);
    expect(direct.stderr).toContain('Fatal Python error: init_fs_encoding');
    // Only a PYTHONHOME without a standard library stops it there.
    const home = temporaryFolder('python-home');
    mkdirSync(join(home, 'lib/python3.12/encodings'), { recursive: true });
    const found = await runProcess(join(f.home, 'tools/bin/sky'), ['--version'], {
      env: { ...f.env, PYTHONHOME: home },
    }).result;
    expect(found.exitCode).toBe(0);
  });
});

describe('the servers list', () => {
  it('asks the clouds for the latest statuses only on request, and says when it read them', async () => {
    const f = await open();
    await ended(await launch(f, { name: 'web-1' }));
    const plain = (await (await f.request('GET', '/servers')).json()) as ServersAnswer;
    expect(plain).toMatchObject({ installed: true, all_users: false, refreshed: false });
    expect(Date.parse(plain.read_at ?? '')).not.toBeNaN();
    const statusRuns = () => recorded(f, 'sky-run.').filter((run) => /^argv: status/.test(run));
    expect(statusRuns().some((run) => run.includes('--refresh'))).toBe(false);
    const fresh = (await (await f.request('GET', '/servers?refresh=true')).json()) as ServersAnswer;
    expect(fresh).toMatchObject({ refreshed: true, servers: [{ name: 'web-1', status: 'UP', user: null }] });
    expect(statusRuns().filter((run) => run.startsWith('argv: status --refresh'))).toHaveLength(1);
  });
});

describe('autostop scheduled', () => {
  it("is listed, and sky status ends with SkyPilot's hint to refresh, which the list does not take for a server", async () => {
    const f = await open();
    const end = await ended(
      await launch(f, { name: 'web-1', cloud: 'aws', autostop: { idle_minutes: 30, down: false } }),
    );
    expect(end.data).toMatchObject({ ok: true });
    expect(await servers(f)).toMatchObject([{ name: 'web-1', status: 'UP' }]);
    const sky = join(f.home, 'tools/bin/sky');
    const status = await runProcess(sky, ['status'], { env: f.env }).result;
    const lines = plainText(status.stdout).trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual([
      '',
      '* 1 cluster has auto{stop,down} scheduled. Refresh statuses with: sky status --refresh',
    ]);
    const refreshed = await runProcess(sky, ['status', '--refresh'], { env: f.env }).result;
    expect(refreshed.stdout).not.toContain('auto{stop,down} scheduled');
  });
});

describe('autostop the cloud cannot do', () => {
  it('is refused with a 400 before anything runs', async () => {
    const f = await open();
    const refused = await f.request('POST', '/servers', {
      name: 'gpu-1',
      cloud: 'lambda',
      autostop: { idle_minutes: 30, down: false },
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('Lambda cannot stop on-demand servers'),
      hint: expect.stringContaining('tear down when idle'),
    });
    expect(f.server.session.runs).toBe(0);
  });

  it('is refused by sky as SkyPilot refuses it (sky/execution.py), which the stand-in imitates', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const home = temporaryFolder('sky-home');
    const task = join(home, 'task.yaml');
    writeFileSync(task, 'resources:\n  infra: "aws"\n  use_spot: true\nrun: "true"\n');
    const env = { PATH: process.env.PATH, HOME: home };
    const spot = await runProcess(join(bin, 'sky'), ['launch', '-y', '-c', 'x', '-i', '30', '--dryrun', task], { env })
      .result;
    expect(spot.exitCode).toBe(1);
    expect(spot.stderr).toContain('NotSupportedError: The following features are not supported by AWS:');
    expect(spot.stderr).toContain('Stopping spot instances is currently not supported on AWS.');
    const down = await runProcess(
      join(bin, 'sky'),
      ['launch', '-y', '-c', 'x', '-i', '30', '--down', '--dryrun', task],
      { env },
    ).result;
    expect(down.exitCode).toBe(0);
    // The newest kubernetes.py refuses both features autostop without --down asks for.
    writeFileSync(task, 'resources:\n  infra: "kubernetes"\nrun: "true"\n');
    const pod = await runProcess(join(bin, 'sky'), ['launch', '-y', '-c', 'x', '-i', '30', '--dryrun', task], { env })
      .result;
    expect(pod.exitCode).toBe(1);
    expect(pod.stderr).toContain('NotSupportedError: The following features are not supported by Kubernetes:');
    expect(pod.stderr).toContain('Stopping clusters is not supported on Kubernetes.');
    expect(pod.stderr).toContain('Auto-stop is not supported on Kubernetes.');
  });
});

describe('who the caller is', () => {
  it('is one user for one login on one host, whatever its HOME (common_utils.py, get_user_hash), which the stand-in imitates', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const expected = md5(`carol-${md5(hostname()).slice(-4)}`).slice(0, 8);
    const hashes: string[] = [];
    for (const id of ['', '--all-users']) {
      const home = temporaryFolder('sky-home');
      // An id that is no valid user hash (is_valid_user_hash) is not taken.
      const env = { PATH: process.env.PATH, HOME: home, USER: 'carol', SKYPILOT_USER_ID: id };
      expect((await runProcess(join(bin, 'sky'), ['status'], { env }).result).exitCode).toBe(0);
      await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
      hashes.push(readFileSync(join(home, '.sky/user_hash'), 'utf8'));
    }
    expect(hashes).toEqual([expected, expected]);
  });
});

describe('sky status of named clusters', () => {
  it('names those not found on one line and prints nothing after it (status_utils.show_status_table), which the stand-in imitates', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const env = { PATH: process.env.PATH, HOME: temporaryFolder('sky-home') };
    const status = await runProcess(join(bin, 'sky'), ['status', 'a-1', 'b-2'], { env }).result;
    await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
    expect(status.exitCode).toBe(0);
    expect(plainText(status.stdout).split('\n').slice(-2)).toEqual(["Clusters 'a-1', 'b-2' not found.", '']);
  });
});

describe('sky api cancel of a request that is not running', () => {
  it('says first which ids it cancels, as given (sdk.py, api_cancel), then that none needed it (stand-in)', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const env = { PATH: process.env.PATH, HOME: temporaryFolder('sky-home') };
    const cancel = await runProcess(join(bin, 'sky'), ['api', 'cancel', '--', '2165a370'], { env }).result;
    await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
    expect(cancel.exitCode).toBe(0);
    expect(plainText(cancel.stdout).split('\n').slice(-3)).toEqual([
      "Cancelling 1 request: '2165a370'...",
      'No requests need to be cancelled.',
      '',
    ]);
  });
});

describe('sky api logs of a request the server does not know', () => {
  it('fails as sdk.py and server.py say it, the id in quotes (stand-in)', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const env = { PATH: process.env.PATH, HOME: temporaryFolder('sky-home') };
    const logs = await runProcess(join(bin, 'sky'), ['api', 'logs', '--', '2165a370'], { env }).result;
    await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
    expect(logs.exitCode).toBe(1);
    expect(logs.stderr).toContain(realOutput('sky-api-logs-not-found', { REQUEST_ID: '2165a370' }).stderr);
  });
});

describe('sky check of one cloud', () => {
  it('prints that cloud alone, Azure asking for its login before its libraries (sky/check.py, azure.py)', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: temporaryFolder('sky-home'), AWS_ACCESS_KEY_ID: '' };
    const check = async (cloud: string) => {
      const run = await runProcess(join(bin, 'sky'), ['check', cloud], { env }).result;
      expect(run.exitCode, run.stderr).toBe(0);
      return plainText(run.stdout)
        .split('\n')
        .filter((line) => /^ {2}\S.*: (en|dis)abled/.test(line))
        .map((line) => line.trim());
    };
    try {
      expect(await check('azure')).toEqual(['Azure: disabled']);
      expect(plainText((await runProcess(join(bin, 'sky'), ['check', 'azure'], { env }).result).stdout)).toContain(
        '~/.azure/msal_token_cache.json does not exist.',
      );
      // Logged in, but this sky has no azure extra: its libraries are what is missing now.
      mkdirSync(join(env.HOME, '.azure'), { recursive: true });
      writeFileSync(join(env.HOME, '.azure/msal_token_cache.json'), '{}');
      const azure = await runProcess(join(bin, 'sky'), ['check', 'azure'], { env }).result;
      expect(azure.stdout).toContain('Azure dependencies are not installed.');
      expect(await check('gcp')).toEqual(['GCP: disabled']);
      expect(await check('kubernetes')).toEqual(['Kubernetes: disabled']);
    } finally {
      await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
    }
  });
});

describe('a launch of a task file', () => {
  it('says first which file it runs, --async too (command.py at f05838b4), which the stand-in imitates', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const home = temporaryFolder('sky-home');
    const task = join(home, 'task.yaml');
    writeFileSync(task, 'resources:\n  infra: "aws"\nrun: "true"\n');
    const env = { PATH: process.env.PATH, HOME: home };
    const run = await runProcess(join(bin, 'sky'), ['launch', '--async', '-y', '-c', 'x', task], { env }).result;
    await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
    expect(run.exitCode).toBe(0);
    const lines = plainText(run.stdout).split('\n');
    expect(lines[0]).toBe(`YAML to run: ${task}`);
    expect(lines.some((line) => line.startsWith('Submitted sky.launch request: '))).toBe(true);
  });
});

describe('a launch of a task file that is not there', () => {
  it('asks whether to run it as a command, and with stdin closed aborts (command.py, _check_yaml), which the stand-in imitates', async () => {
    const bin = standinSkyOnPath('1.0.0.dev20261120');
    const home = temporaryFolder('sky-home');
    const task = join(home, 'missing.yaml');
    const env = { PATH: process.env.PATH, HOME: home };
    const run = await runProcess(join(bin, 'sky'), ['launch', '-y', '-c', 'x', task], { env }).result;
    await runProcess(join(bin, 'sky'), ['api', 'stop'], { env }).result;
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(realOutput('sky-launch-task-missing', { TASK: task }).stdout.trimEnd());
    expect(run.stderr).toBe('Aborted!\n');
  });
});

describe('a launch on a cloud that is not enabled', () => {
  it('fails saying the cloud is not set up, where SkyPilot says the task requires it (sky/optimizer.py), and where to see why', async () => {
    const f = await open({ env: { AWS_ACCESS_KEY_ID: '' } });
    const id = await launch(f, { name: 'web-1', cloud: 'aws' });
    const end = await ended(id);
    expect(end.data).toMatchObject({
      ok: false,
      code: 'sky-failed',
      message: 'The launch of web-1 failed: AWS is not set up on this computer.',
      hint: expect.stringContaining('See AWS in the Clouds list'),
    });
    // SkyPilot's own words stay in the operation's lines (the page's log).
    const lines = listen()
      .of('operation')
      .filter((e) => e.data.operation_id === id && e.data.event === 'line')
      .map((e) => String(e.data.line));
    expect(lines.join('\n')).toContain('Task requires AWS which is not enabled.');
  });
});

describe('what a launch needs on this machine', () => {
  it('without ssh or rsync, a launch is refused before anything runs; a check and a preview still work', async () => {
    const f = await open({ env: { PATH: pathWithout(['ssh', 'rsync']) } });
    const refused = await f.request('POST', '/servers', { name: 'web-1' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      code: 'missing-tool',
      message: 'Launching a server needs ssh and rsync on this machine, and they are missing.',
    });
    expect(f.server.session.runs).toBe(0);
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    expect(await ended(await launch(f, { name: 'web-1', dryrun: true }))).toMatchObject({ data: { ok: true } });
  });
});

describe("uv's real failures, through the server", () => {
  it('a wheel uv cannot download is a network error naming the package', async () => {
    const f = await open({ env: { STANDIN_UV_FAIL: 'wheel-download' } });
    const failed = await f.request('POST', '/clouds/check');
    expect(failed.status).toBe(503);
    const body = (await failed.json()) as Record<string, string>;
    expect(body.code).toBe('network');
    expect(body.message).toMatch(/^uv could not download SkyPilot's packages: Failed to download `[\w.-]+==[\w.]+`: /);
  });
});

describe('workspaces', () => {
  it('the check and the servers list read the workspace formats', async () => {
    const f = await open({ env: { STANDIN_SKY_WORKSPACES: 'default,team-a' } });
    const check = (await (await f.request('POST', '/clouds/check')).json()) as Record<string, unknown>;
    expect(check).toMatchObject({
      enabled: [{ name: 'AWS' }],
      workspaces: [{ workspace: 'default' }, { workspace: 'team-a', enabled: [] }],
    });
    await ended(await launch(f, { name: 'web-1' }));
    expect(await servers(f)).toMatchObject([{ name: 'web-1', status: 'UP', workspace: 'default' }]);
  });
});

describe('an old SkyPilot on PATH', () => {
  it('is not used: the status says not installed, and the first action installs Carapace its own', async () => {
    const f = await open({ pathFront: [standinSkyOnPath('0.6.1')] });
    expect(f.server.store.status()).toMatchObject({ state: 'not_installed', source: null });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    expect(f.server.store.status()).toMatchObject({ state: 'installed', source: 'managed' });
    expect(
      listen()
        .of('install')
        .map((e) => String(e.data.message)),
    ).toContain(
      `The sky found on PATH at ${f.env.PATH?.split(':')[0]}/sky is SkyPilot 0.6.1, older than the 0.10 Carapace needs; using Carapace's own copy`,
    );
  });
});

describe('clouds whose libraries are not installed', () => {
  it('are not offered: a launch on one is refused, and the check says to add it rather than pip install', async () => {
    const f = await open();
    const check = (await (await f.request('POST', '/clouds/check')).json()) as {
      disabled: { name: string; missing_extra: string | null; reasons: { text: string }[] }[];
    };
    const gcp = check.disabled.find((cloud) => cloud.name === 'GCP');
    expect(gcp?.missing_extra).toBe('gcp');
    // Of the clouds Carapace offers: the others' reasons are SkyPilot's own words (sky/check.ts, inCarapaceWords).
    const offered = check.disabled.filter((cloud) => CLOUDS.some((known) => known.name === cloud.name));
    // Every cloud Carapace offers but AWS (enabled) is among them.
    expect(offered).toHaveLength(CLOUDS.length - 1);
    expect(JSON.stringify(offered)).not.toContain('pip install');
    expect(f.server.store.status().extras).toEqual(['aws']);
    const refused = await f.request('POST', '/servers', { name: 'web-1', cloud: 'gcp' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      code: 'invalid-request',
      message: "SkyPilot's libraries for gcp are not installed in Carapace (it has: aws).",
    });
    // Lambda's extra brings no library (its check asks only for credentials): a launch there is not refused.
    await ended(await launch(f, { name: 'web-2', cloud: 'lambda', dryrun: true }));
  });
});

describe('a launch in progress', () => {
  it('goes on in SkyPilot when Carapace stops, and shows from sky status after a restart', async () => {
    // Long enough that the restart (seconds on a busy machine) ends while the launch still runs.
    const f = await open({ env: { STANDIN_SKY_LAUNCH_SECONDS: '12' } });
    const id = await launch(f, { name: 'slow-1' });
    await listen().waitFor((e) => e.data.operation_id === id && e.data.event === 'cancellable', 'the request id');
    await f.restart();
    const end = listen()
      .of('operation')
      .find((e) => e.data.operation_id === id && e.data.event === 'end');
    expect(end?.data).toMatchObject({
      ok: false,
      message:
        'Carapace stopped following the launch of slow-1; it goes on in SkyPilot and will show in the servers list.',
    });
    expect(await servers(f)).toMatchObject([{ name: 'slow-1', status: 'INIT' }]);
    await expect.poll(async () => (await servers(f))[0]?.status, { timeout: 30_000 }).toBe('UP');
  });

  it("is cancelled through SkyPilot's request id, and what is left running is said", async () => {
    const f = await open({ env: { STANDIN_SKY_LAUNCH_SECONDS: '30' } });
    const id = await launch(f, { name: 'slow-2' });
    const cancellable = await listen().waitFor(
      (e) => e.data.operation_id === id && e.data.event === 'cancellable',
      'the request id',
    );
    await until(() => f.server.runner.started > 0, 'sky');
    await expect.poll(async () => (await servers(f))[0]?.status, { timeout: 15_000 }).toBe('INIT');
    const cancel = await f.request('POST', `/operations/${id}/cancel`);
    expect(cancel.status).toBe(200);
    // The request id reaches sky after --, so that it can never be read as an option.
    const requestId = String(cancellable.data.request_id);
    expect(recorded(f, 'sky-run.')).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`argv: api logs -- ${requestId}\n`),
        expect.stringContaining(`argv: api cancel -- ${requestId}\n`),
      ]),
    );
    expect(await cancel.json()).toEqual({
      operation_id: id,
      message: `SkyPilot cancelled the launch of slow-2 (Cancelled 1 request: ${cancellable.data.request_id}).`,
    });
    const end = await ended(id);
    expect(end.data).toMatchObject({
      ok: false,
      message: 'The launch of slow-2 was cancelled, but slow-2 is listed (INIT) and may be billing: tear it down.',
    });
    const again = await f.request('POST', `/operations/${id}/cancel`);
    expect(again.status).toBe(404);
  });
});
