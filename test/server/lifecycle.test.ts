// SkyPilot's life after the first install, through the server: a cloud added from
// the page (and the programs its cloud runs), an update (and one that fails), an
// uninstall, none of them under a running sky command, the network settings used by
// the next install without a restart, and the install log shown redacted.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloudCheckAnswer, CloudEnableAnswer, InstallStatus, LogTail, SettingsAnswer } from '../../src/api.js';
import { SKYPILOT_VERSION } from '../mirror/artifacts.js';
import { startMirror } from '../mirror/server.js';
import { type Fixture, standinSkyOnPath, until } from '../support/fixture.js';
import { folderWithPrograms, pathWithout } from '../support/path.js';
import { fixturePerTest } from '../support/per-test.js';
import type { Received } from '../support/sse.js';

const NEWER = '1.0.0.dev20261201';

const suite = fixturePerTest();
const open = suite.open;

async function installed(f: Fixture): Promise<InstallStatus> {
  expect((await f.request('POST', '/install')).status).toBe(202);
  return until(() => {
    const status = f.server.store.status();
    return status.state === 'installed' && status;
  }, 'installed');
}

async function status(f: Fixture): Promise<InstallStatus> {
  return (await (await f.request('GET', '/status')).json()) as InstallStatus;
}

/** The install events of one run, once its complete or error line has arrived. */
async function runEvents(installId: string): Promise<Received[]> {
  const listener = suite.listener();
  await listener.waitFor(
    (e) =>
      e.type === 'install' && e.data.install_id === installId && ['complete', 'error'].includes(String(e.data.phase)),
    `install ${installId} to end`,
    30_000,
  );
  return listener.events.filter((e) => e.type === 'install' && e.data.install_id === installId);
}

describe('adding a cloud from the page', () => {
  it('installs its libraries with install events, lists it in /status, then checks that cloud alone', async () => {
    const f = await open({ pathFront: [folderWithPrograms(['gcloud'])] });
    await installed(f);
    const started = Date.now();
    const response = await f.request('POST', '/clouds/gcp/enable');
    const seconds = (Date.now() - started) / 1000;
    expect(response.status).toBe(200);
    const answer = (await response.json()) as CloudEnableAnswer;
    expect(answer.cloud).toBe('gcp');
    // The stand-in, as the real sky, enables GCP only with its credentials file.
    expect(answer.enabled).toBe(false);
    expect(answer.check.disabled.find((cloud) => cloud.name === 'GCP')?.reasons[0]?.text).toContain(
      'gcloud auth application-default login',
    );
    expect((await status(f)).extras).toEqual(['aws', 'gcp']);
    const messages = suite
      .listener()
      .events.filter((e) => e.type === 'install')
      .map((e) => String(e.data.message));
    expect(messages).toContain('Adding the SkyPilot libraries of gcp (skypilot-nightly[aws,gcp])');
    expect(f.uvInstalls()).toBe(2);
    console.log(`add a cloud on an installed home: ${seconds.toFixed(2)} s`);

    mkdirSync(join(f.userHome, '.config/gcloud'), { recursive: true });
    writeFileSync(join(f.userHome, '.config/gcloud/application_default_credentials.json'), '{}');
    const again = (await (await f.request('POST', '/clouds/gcp/enable')).json()) as CloudEnableAnswer;
    expect(again.enabled).toBe(true);
    expect(f.uvInstalls()).toBe(2);
  });

  it("says that Google's gcloud is missing, not to Repair, when GCP's libraries are installed without it", async () => {
    const f = await open({ env: { PATH: pathWithout(['gcloud']) } });
    await installed(f);
    const answer = (await (await f.request('POST', '/clouds/gcp/enable')).json()) as CloudEnableAnswer;
    expect(answer.enabled).toBe(false);
    expect(answer.check.disabled).toMatchObject([{ name: 'GCP', missing_extra: null }]);
    const text = answer.check.disabled[0]?.reasons[0]?.text ?? '';
    expect(text).toContain('Install the Google Cloud CLI');
    expect(text).not.toContain('Repair');
  });

  it('Add RunPod: what RunPod then lacks is its credentials (runpod.py), not libraries to Repair; a full check says the same', async () => {
    const f = await open();
    await installed(f);
    const answer = (await (await f.request('POST', '/clouds/runpod/enable')).json()) as CloudEnableAnswer;
    expect((await status(f)).extras).toEqual(['aws', 'runpod']);
    expect(answer.enabled).toBe(false);
    const runpod = answer.check.disabled.find((cloud) => cloud.name === 'RunPod');
    expect(runpod?.missing_extra).toBeNull();
    // runpod.py's credential steps begin with "$ pip install runpod": a step, not broken libraries.
    expect(runpod?.reasons[0]?.text).toContain('~/.runpod/config.toml does not exist.');
    expect(runpod?.reasons[0]?.text).toContain('$ runpod config');
    const full = (await (await f.request('POST', '/clouds/check')).json()) as CloudCheckAnswer;
    expect(full.disabled.find((cloud) => cloud.name === 'RunPod')?.reasons).toEqual(runpod?.reasons);
  });

  it('Add IBM: SkyPilot moves to Python 3.11, then its check says what IBM lacks, its credentials', async () => {
    const f = await open();
    await installed(f);
    const answer = (await (await f.request('POST', '/clouds/ibm/enable')).json()) as CloudEnableAnswer;
    expect((await status(f)).extras).toEqual(['aws', 'ibm']);
    const messages = suite
      .listener()
      .events.filter((e) => e.type === 'install')
      .map((e) => String(e.data.message));
    expect(messages).toContain(
      "SkyPilot moves from Python 3.12 to Python 3.11, which SkyPilot's IBM libraries need: uv downloads that Python and the packages built for it",
    );
    // The check of it is said by its name, not SkyPilot's id for it.
    const ends = suite
      .listener()
      .events.filter((e) => e.type === 'operation' && e.data.event === 'end')
      .map((e) => String(e.data.message));
    expect(ends).toContain('Checked IBM.');
    expect(answer.enabled).toBe(false);
    expect(answer.check.disabled.find((cloud) => cloud.name === 'IBM')?.reasons[0]?.text).toContain(
      `Missing credential file at ${f.userHome}/.ibm/credentials.yaml.`,
    );
  });

  it("names the aws that came with the cloud tools under SkyPilot's '$ aws configure', when the user's PATH has none", async () => {
    const f = await open({ env: { PATH: pathWithout(['aws']), AWS_ACCESS_KEY_ID: '' } });
    await installed(f);
    const check = (await (await f.request('POST', '/clouds/check')).json()) as CloudCheckAnswer;
    const aws = check.disabled.find((cloud) => cloud.name === 'AWS')?.reasons[0]?.text ?? '';
    expect(aws).toContain('$ aws configure');
    const cli = join(f.home, 'tools/envs/skypilot-nightly/bin/aws');
    expect(aws).toContain(`is not on your PATH: run it as ${cli} (for example, ${cli} configure).`);
    // It is the one the aws extra installed, and it runs.
    expect(statSync(cli).mode & 0o111).not.toBe(0);
  });

  it("lets sky run Azure's az, which the azure extra installs into sky's own environment", async () => {
    const f = await open();
    await installed(f);
    mkdirSync(join(f.userHome, '.azure'), { recursive: true });
    writeFileSync(join(f.userHome, '.azure/msal_token_cache.json'), '{}');
    const answer = (await (await f.request('POST', '/clouds/azure/enable')).json()) as CloudEnableAnswer;
    expect((await status(f)).extras).toEqual(['aws', 'azure']);
    // azure-cli's az lands beside sky, in the tools' own bin, where sky finds it without PATH.
    const tools = dirname(realpathSync(join(f.home, 'tools/bin/sky')));
    expect(existsSync(join(tools, 'az'))).toBe(true);
    expect(answer.enabled, JSON.stringify(answer.check.disabled)).toBe(true);
    expect(f.uvInstalls()).toBe(2);
  });

  it('refuses a name that is not a cloud Carapace knows, and installs nothing', async () => {
    const f = await open();
    const response = await f.request('POST', '/clouds/..%2Fetc/enable');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('not-found');
    expect(f.server.session.runs).toBe(0);
  });

  it('does not touch a sky on PATH, which was installed outside Carapace', async () => {
    const f = await open({ pathFront: [standinSkyOnPath()] });
    await until(() => f.server.store.status().source === 'path', 'the sky on PATH');
    const response = await f.request('POST', '/clouds/gcp/enable');
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'sky-not-managed' });
    expect(f.server.session.runs).toBe(0);
  });
});

describe('updating SkyPilot', () => {
  it('switches to the newest version with install events, and /status says so', async () => {
    const f = await open();
    const before = await installed(f);
    expect(before.sky_version).toBe(SKYPILOT_VERSION);
    f.mirror.setSkypilotVersions([SKYPILOT_VERSION, NEWER]);
    const started = Date.now();
    const response = await f.request('POST', '/update');
    expect(response.status).toBe(202);
    const { install_id: id } = (await response.json()) as { install_id: string };
    const events = await runEvents(id);
    const seconds = (Date.now() - started) / 1000;
    expect(events.at(-1)?.data).toMatchObject({
      phase: 'complete',
      message: expect.stringContaining(`SkyPilot updated from ${SKYPILOT_VERSION} to ${NEWER}`),
    });
    // The marker names the new version as soon as the switch is made, before the installer
    // exits: until it has, the status rightly still says installing.
    await until(() => {
      const current = f.server.store.status();
      return current.sky_version === NEWER && current.state === 'installed';
    }, 'the new version in /status');
    expect(await status(f)).toMatchObject({ state: 'installed', sky_version: NEWER });
    console.log(`update: ${seconds.toFixed(2)} s`);
  });

  it('that fails leaves the old version in use, and the error says so', async () => {
    const f = await open();
    await installed(f);
    f.mirror.setSkypilotVersions([SKYPILOT_VERSION, NEWER]);
    f.mirror.setFaults([{ match: `skypilot_nightly-${NEWER}-py3-none-any.whl`, kind: '500' }]);
    const { install_id: id } = (await (await f.request('POST', '/update')).json()) as { install_id: string };
    const events = await runEvents(id);
    expect(events.at(-1)?.data).toMatchObject({ phase: 'error', code: 'network' });
    const after = await until(() => {
      const current = f.server.store.status();
      return current.state === 'installed' && current.last_error && current;
    }, 'the failure in /status');
    expect(after.sky_version).toBe(SKYPILOT_VERSION);
    expect(after.last_error?.hint).toContain(`SkyPilot ${SKYPILOT_VERSION} is still installed and in use`);
    // and an action still works, on the old version
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
  });

  it('is refused while a launch runs: it would stop the API server the launch runs in', async () => {
    const f = await open({ env: { STANDIN_SKY_LAUNCH_SECONDS: '5' } });
    await installed(f);
    const launch = await f.request('POST', '/servers', { name: 'web-1', dryrun: true });
    expect(launch.status).toBe(202);
    const update = await f.request('POST', '/update');
    expect(update.status).toBe(409);
    expect(await update.json()).toMatchObject({ code: 'busy', message: expect.stringContaining('launch of web-1') });
  });

  it('holds the sky commands asked for while it runs until the new version is in place (17.5)', async () => {
    const f = await open({ env: { STANDIN_UV_INSTALL_SECONDS: '3' } });
    await installed(f);
    f.mirror.setSkypilotVersions([SKYPILOT_VERSION, NEWER]);
    expect((await f.request('POST', '/update')).status).toBe(202);
    // The update's uv takes 3 s, `sky status` a fraction of that. The servers list needs no
    // install (it runs the sky in place): run at once, it would answer while the old version
    // is still installed and the installer still running.
    const list = await f.request('GET', '/servers');
    expect(list.status).toBe(200);
    expect(f.server.store.status()).toMatchObject({ sky_version: NEWER });
    expect(f.server.session.progress()).toBeNull();
    // A check waits too (for the install in progress, as every action does).
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
  });

  it("is refused when it is to start while a request started before Carapace's restart runs in the API server", async () => {
    const f = await open({ env: { STANDIN_SKY_LAUNCH_SECONDS: '6' } });
    await installed(f);
    const launch = await f.request('POST', '/servers', { name: 'web-1' });
    const { operation_id: id } = (await launch.json()) as { operation_id: string };
    await suite
      .listener()
      .waitFor((e) => e.data.operation_id === id && e.data.event === 'cancellable', 'the request id');
    await f.restart();
    suite.relisten();
    f.mirror.setSkypilotVersions([SKYPILOT_VERSION, NEWER]);
    const update = await f.request('POST', '/update');
    expect(update.status).toBe(202);
    const { install_id: updateId } = (await update.json()) as { install_id: string };
    const events = await runEvents(updateId);
    expect(events.at(-1)?.data).toMatchObject({
      phase: 'error',
      message: expect.stringMatching(
        /^Carapace cannot update SkyPilot while SkyPilot is working \(requests in SkyPilot's API server: sky\.launch [0-9a-f]{8}/,
      ),
    });
    expect(f.uvInstalls()).toBe(1);
    expect(f.server.store.status()).toMatchObject({ sky_version: SKYPILOT_VERSION, last_error: { code: 'busy' } });
    // The launch was left to finish.
    await expect.poll(async () => (await servers(f))[0]?.status, { timeout: 15_000 }).toBe('UP');
  });
});

async function servers(f: Fixture): Promise<{ name: string; status: string }[]> {
  return ((await (await f.request('GET', '/servers')).json()) as { servers: { name: string; status: string }[] })
    .servers;
}

/** The processes whose command line names a path inside the folder (Linux). */
function processesFrom(folder: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        return '';
      }
    })
    .filter((command) => command.includes(`${folder}/`));
}

describe('uninstalling from the page', () => {
  it('queued behind an install is refused when it is to start while a launch waits for that install', async () => {
    const f = await open({ env: { STANDIN_UV_INSTALL_SECONDS: '2' } });
    expect((await f.request('POST', '/install')).status).toBe(202);
    const launching = f.request('POST', '/servers', { name: 'web-1' });
    await until(() => f.server.session.progress() !== null, 'the install');
    const uninstall = await f.request('POST', '/uninstall');
    expect(uninstall.status).toBe(202);
    const { install_id: id } = (await uninstall.json()) as { install_id: string };
    const launch = await launching;
    expect(launch.status).toBe(202);
    const events = await runEvents(id);
    expect(events.at(-1)?.data).toMatchObject({
      phase: 'error',
      message: 'Carapace cannot remove SkyPilot while SkyPilot is working (launch of web-1, waiting for SkyPilot).',
    });
    const { operation_id: launchId } = (await launch.json()) as { operation_id: string };
    const end = await suite
      .listener()
      .waitFor((e) => e.data.operation_id === launchId && e.data.event === 'end', 'the launch', 30_000);
    expect(end.data).toMatchObject({ ok: true });
    expect(f.server.store.status()).toMatchObject({ state: 'installed', last_error: { code: 'busy' } });
  });

  it('stops the local API server, removes the install, and the next action installs again', async () => {
    const f = await open();
    await installed(f);
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    await until(() => f.server.store.status().api_server.running, 'the local API server');
    const response = await f.request('POST', '/uninstall');
    expect(response.status).toBe(202);
    const { install_id: id } = (await response.json()) as { install_id: string };
    const events = await runEvents(id);
    expect(events.map((e) => e.data.message)).toContain("SkyPilot's local API server is stopped");
    const after = await until(() => {
      const current = f.server.store.status();
      return current.state === 'not_installed' && !current.api_server.running && current;
    }, 'not installed');
    expect(after.sky_path).toBeNull();
    expect(processesFrom(f.home)).toEqual([]);
    const runs = f.server.session.runs;
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    expect(f.server.session.runs).toBe(runs + 1);
    expect((await status(f)).state).toBe('installed');
  });
});

describe('network settings', () => {
  it('are saved 0600, shown without the proxy password, and refused when the environment sets them', async () => {
    const f = await open({ env: { UV_DEFAULT_INDEX: undefined } });
    const saved = await f.request('PUT', '/settings', {
      values: { HTTPS_PROXY: 'http://alice:s3cret@proxy.example:3128', UV_DEFAULT_INDEX: f.mirror.indexUrl },
    });
    expect(saved.status).toBe(200);
    const answer = (await saved.json()) as SettingsAnswer;
    const proxy = answer.settings.find((setting) => setting.name === 'HTTPS_PROXY');
    expect(proxy).toMatchObject({ value: 'http://***@proxy.example:3128', source: 'saved' });
    expect(JSON.stringify(answer)).not.toContain('s3cret');
    expect(statSync(answer.path).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(await (await f.request('GET', '/status')).json())).not.toContain('s3cret');
    // Sent back as shown, the redacted value keeps the saved one.
    await f.request('PUT', '/settings', { values: { HTTPS_PROXY: 'http://***@proxy.example:3128' } });
    expect(readFileSync(answer.path, 'utf8')).toContain('alice:s3cret@');
    const fromEnvironment = await f.request('PUT', '/settings', {
      values: { CARAPACE_UV_MIRROR: 'https://x.example' },
    });
    expect(fromEnvironment.status).toBe(400);
    expect(await fromEnvironment.json()).toMatchObject({ code: 'invalid-request' });
  });

  it('edited by hand in settings.json are read again, one save after another', async () => {
    const f = await open();
    const shown = async () =>
      ((await (await f.request('GET', '/settings')).json()) as SettingsAnswer).settings.find(
        (setting) => setting.name === 'UV_PYTHON_INSTALL_MIRROR',
      );
    expect(await shown()).toMatchObject({ source: 'unset' });
    const path = join(f.home, 'settings.json');
    writeFileSync(path, '{\n  "UV_PYTHON_INSTALL_MIRROR": "https://py.example/one"\n}\n');
    expect(await shown()).toMatchObject({ value: 'https://py.example/one', source: 'saved' });
    writeFileSync(path, '{\n  "UV_PYTHON_INSTALL_MIRROR": "https://py.example/two-changed"\n}\n');
    expect(await shown()).toMatchObject({ value: 'https://py.example/two-changed', source: 'saved' });
  });

  it('are used by the next install without a restart: a dead mirror, then the working one saved', async () => {
    const working = await startMirror();
    suite.alsoClose(() => working.close());
    const f = await open({ env: { CARAPACE_UV_MIRROR: undefined, UV_DEFAULT_INDEX: undefined } });
    // Nothing set: the default mirrors are out of reach here, and the error says where to set one.
    const dead = await f.request('PUT', '/settings', { values: { CARAPACE_UV_MIRROR: 'http://127.0.0.1:9/uv' } });
    expect(dead.status).toBe(200);
    const failed = await f.request('POST', '/clouds/check');
    expect(failed.status).toBe(503);
    const error = (await failed.json()) as { code: string; hint: string };
    expect(error.code).toBe('network');
    expect(error.hint).toContain('Network settings');
    await f.request('PUT', '/settings', {
      values: { CARAPACE_UV_MIRROR: working.uvBase, UV_DEFAULT_INDEX: working.indexUrl },
    });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    expect(working.requests().some((r) => r.path.endsWith('.tar.gz'))).toBe(true);
  });
});

describe('the install log', () => {
  it('is shown from its end, with passwords in addresses and the token removed', async () => {
    const f = await open();
    await installed(f);
    // What a failing run could have written there: an index address with its password
    // (from UV_DEFAULT_INDEX), and the token (had it leaked into the environment).
    const log = join(f.home, 'logs/install.log');
    writeFileSync(
      log,
      `${readFileSync(log, 'utf8')}Failed to fetch: https://bob:hunter2@pypi.corp.example/simple/skypilot-nightly/\n` +
        `CARAPACE_TOKEN=${f.server.token}\n`,
    );
    const response = await f.request('GET', '/logs/install');
    expect(response.status).toBe(200);
    const tail = (await response.json()) as LogTail;
    expect(tail.path).toBe(log);
    expect(tail.lines.at(-2)).toBe('Failed to fetch: https://***@pypi.corp.example/simple/skypilot-nightly/');
    expect(tail.lines.at(-1)).toBe('CARAPACE_TOKEN=***');
    expect(tail.lines.some((line) => line.includes('Installing cloud tools'))).toBe(true);
  });

  it('is "not found" before the first install', async () => {
    const f = await open();
    const response = await f.request('GET', '/logs/install');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not-found' });
  });
});
