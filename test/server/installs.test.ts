// One installer run for any number of callers; installs from elsewhere; failures and retries; sky on PATH.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInstallerInTerminal, standinSkyOnPath, temporaryFolder, until } from '../support/fixture.js';
import { fixturePerTest } from '../support/per-test.js';

const suite = fixturePerTest();

describe('single flight', () => {
  it('20 simultaneous actions start exactly one installer, and all of them proceed', async () => {
    const f = await suite.open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 1_000_000 }]);
    const calls = Array.from({ length: 20 }, (_, i) => {
      switch (i % 4) {
        case 0:
          return f.request('POST', '/clouds/check');
        case 1:
          return f.request('GET', '/servers');
        case 2:
          return f.request('POST', '/servers', { name: `dry-${i}`, dryrun: true });
        default:
          return f.request('POST', '/install');
      }
    });
    const responses = await Promise.all(calls);
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), ...Array(10).fill(202)]);
    await until(() => f.server.store.status().state === 'installed', 'installed');
    expect(f.server.session.runs).toBe(1);
    expect(f.archiveDownloads()).toBe(1);
    expect(f.uvInstalls()).toBe(1);
  });
});

describe('a run of another kind asked for during an install', () => {
  it('waits for it, under an id of its own that its events carry', async () => {
    const f = await suite.open({ env: { STANDIN_UV_INSTALL_SECONDS: '2' } });
    const install = (await (await f.request('POST', '/install')).json()) as { install_id: string };
    const update = (await (await f.request('POST', '/update')).json()) as { install_id: string };
    expect(update.install_id).not.toBe(install.install_id);
    const ended = await suite
      .listener()
      .waitFor(
        (e) => e.type === 'install' && e.data.install_id === update.install_id && e.data.phase === 'complete',
        'the update to end',
        30_000,
      );
    // The update's own last line, not the install's "is ready at".
    expect(String(ended.data.message)).toMatch(/is already the newest version|updated from/);
    expect(f.server.session.runs).toBe(2);
  });
});

describe('an install started in a terminal while the server runs', () => {
  it('shows in /status and is waited for by an action, not repeated', async () => {
    const f = await suite.open();
    const sse = suite.listener();
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 400_000 }]);
    const terminal = runInstallerInTerminal(f.env);
    await until(() => f.server.store.status().state === 'installing', 'the server to see the lock');
    const seen = (await (await f.request('GET', '/status')).json()) as Record<string, unknown>;
    expect(seen).toMatchObject({ state: 'installing', install_id: null });
    expect(typeof seen.installing_since).toBe('string');

    const check = await f.request('POST', '/clouds/check');
    expect(check.status).toBe(200);
    expect(await terminal.exit).toBe(0);
    expect(f.uvInstalls()).toBe(1);
    expect(f.archiveDownloads()).toBe(1);
    expect(sse.of('install').map((e) => e.data.message)).toContain('Another installation is in progress, waiting...');
    expect(f.server.store.status()).toMatchObject({ state: 'installed', source: 'managed' });
  });

  it('is noticed when it finishes, with no request made', async () => {
    const f = await suite.open();
    const sse = suite.listener();
    expect(await runInstallerInTerminal(f.env).exit).toBe(0);
    await sse.waitFor((e) => e.type === 'status' && e.data.state === 'installed', 'a status event');
    expect(f.server.session.runs).toBe(0);
  });
});

describe("the status watcher and the server's own install", () => {
  it("is paused while the install runs and watches again after it: a terminal's uninstall is then noticed", async () => {
    const f = await suite.open();
    const sse = suite.listener();
    expect((await f.request('POST', '/install')).status).toBe(202);
    await until(() => f.server.store.status().state === 'installed', 'installed');
    expect(await runInstallerInTerminal(f.env, ['--uninstall']).exit).toBe(0);
    await sse.waitFor((e) => e.type === 'status' && e.data.state === 'not_installed', 'a status event');
    expect(f.server.session.runs).toBe(1);
  });
});

describe('a failed install', () => {
  it('answers with code, message and hint, sets last_error, and a retry succeeds once the fault is gone', async () => {
    const f = await suite.open();
    f.mirror.setFaults([{ match: '.sha256', kind: 'bad-checksum' }]);
    const failed = await f.request('POST', '/clouds/check');
    expect(failed.status).toBe(503);
    const body = (await failed.json()) as Record<string, string>;
    expect(body).toMatchObject({ code: 'checksum' });
    expect(body.message).toMatch(
      /^The uv download does not match its checksum \(expected f{64}, got [0-9a-f]{64}\); it was deleted\.$/,
    );
    expect(body.hint).toMatch(/^Retry: the download may have been corrupted/);
    expect(await (await f.request('GET', '/status')).json()).toMatchObject({
      state: 'error',
      last_error: { code: 'checksum', message: body.message, hint: body.hint },
    });
    expect(existsSync(join(f.home, 'install.lock'))).toBe(false);

    f.mirror.reset();
    const retried = await f.request('POST', '/clouds/check');
    expect(retried.status).toBe(200);
    expect(await (await f.request('GET', '/status')).json()).toMatchObject({ state: 'installed', last_error: null });
    expect(f.server.session.runs).toBe(2);
  });

  it('fails every waiting action with the same network error, promptly, and leaves the server healthy', async () => {
    const f = await suite.open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: '404' }]);
    const started = Date.now();
    const responses = await Promise.all([
      f.request('POST', '/clouds/check'),
      f.request('POST', '/servers', { name: 'web' }),
      f.request('POST', '/install'),
    ]);
    await until(() => f.server.store.status().state === 'error', 'the failure');
    const bodies = (await Promise.all(responses.slice(0, 2).map((r) => r.json()))) as Record<string, string>[];
    expect(responses.map((r) => r.status)).toEqual([503, 503, 202]);
    for (const body of bodies) {
      expect(body.code).toBe('network');
      expect(body.message).toContain('was not found (HTTP 404)');
      expect(body.hint).toContain('Check your internet connection');
    }
    // The answers came with the failure, not after some timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(f.server.session.runs).toBe(1);
    expect((await f.request('GET', '/status')).status).toBe(200);
    f.mirror.reset();
    expect((await f.request('POST', '/servers', { name: 'web', dryrun: true })).status).toBe(202);
  });

  it('started by POST /install alone does not take the server down', async () => {
    const f = await suite.open();
    f.mirror.setFaults([{ match: '.tar.gz', kind: '404' }]);
    expect((await f.request('POST', '/install')).status).toBe(202);
    await until(() => f.server.store.status().state === 'error', 'the error state');
    expect(f.server.store.status().last_error?.code).toBe('network');
    f.mirror.reset();
    expect((await f.request('POST', '/install')).status).toBe(202);
    await until(() => f.server.store.status().state === 'installed', 'installed');
  });
});

describe('sky already on PATH', () => {
  it('is used as it is: no installer, no download', async () => {
    const dir = standinSkyOnPath('0.10.3');
    const f = await suite.open({ pathFront: [dir] });
    await until(() => f.server.store.status().sky_version, 'the PATH sky version');
    expect(await (await f.request('GET', '/status')).json()).toMatchObject({
      state: 'installed',
      source: 'path',
      sky_path: join(dir, 'sky'),
      sky_version: '0.10.3',
      uv_version: null,
    });
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    expect((await f.request('POST', '/install')).status).toBe(200);
    expect(f.server.session.runs).toBe(0);
    expect(f.mirror.requests()).toEqual([]);
  });
});

describe('sky put on PATH while the server runs', () => {
  it('is found by the next action instead of installing', async () => {
    const dir = temporaryFolder('later');
    const f = await suite.open({ pathFront: [dir] });
    expect(f.server.store.status().state).toBe('not_installed');
    copyFileSync(join(standinSkyOnPath('0.10.4'), 'sky'), join(dir, 'sky'));
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    expect(f.server.session.runs).toBe(0);
    expect(f.server.store.status()).toMatchObject({ state: 'installed', source: 'path', sky_path: join(dir, 'sky') });
  });
});
