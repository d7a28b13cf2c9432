// SIGTERM/SIGINT: the installer is told to stop (it releases its lock), SSE clients are closed.
// npm start: its link, a clean exit, and plain answers when it cannot start.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirror } from '../mirror/server.js';
import {
  cleanUpTemporaryFolders,
  type Fixture,
  installerEnv,
  pathWithoutSky,
  startFixture,
  temporaryFolder,
  until,
} from '../support/fixture.js';
import { Listener } from '../support/sse.js';

describe('graceful shutdown', () => {
  it('stops a running install, which releases its lock, and closes event streams', async () => {
    const fx: Fixture = await startFixture({ env: { STANDIN_UV_INSTALL_SECONDS: '30' } });
    const sse = new Listener(fx.server.url, { token: fx.server.token });
    await fx.request('POST', '/install');
    await until(() => fx.server.session.progress()?.events.some((e) => e.message.startsWith('Prepared')), 'uv to run');
    expect(existsSync(join(fx.home, 'install.lock'))).toBe(true);
    const closed = new Promise<void>((resolve) => sse.source.addEventListener('error', () => resolve()));
    const home = fx.home;
    await fx.server.close();
    await closed;
    sse.close();
    expect(existsSync(join(home, 'install.lock'))).toBe(false);
    expect(existsSync(join(home, 'install.json'))).toBe(false);
    expect(sse.of('install').at(-1)?.data).toMatchObject({ phase: 'error', code: 'interrupted' });
    await fx.close();
  });

  it('stops every sky it started, a servers list no operation follows included', async () => {
    // A SkyPilot on PATH whose `sky status` takes its time and says who it is.
    const bin = temporaryFolder('slow-sky');
    const pidFile = join(bin, 'status.pid');
    writeFileSync(
      join(bin, 'sky'),
      `#!/bin/sh\ncase $1 in --version) echo "skypilot, version 0.10.3" ;; status) echo $$ >"${pidFile}"; exec sleep 60 ;; esac\n`,
    );
    chmodSync(join(bin, 'sky'), 0o755);
    const fx = await startFixture({ pathFront: [bin] });
    try {
      await until(() => fx.server.store.status().state === 'installed', 'the sky on PATH to be found');
      void fx.request('GET', '/servers').catch(() => undefined);
      const pid = Number(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 'sky status'));
      await fx.server.close();
      expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await fx.close();
      cleanUpTemporaryFolders();
    }
  });
});

/** Runs `npm start`'s entry point; resolves with its output once it exits. */
function start(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('npm start', () => {
  let home: string;
  beforeAll(() => {
    home = join(temporaryFolder('start'), 'carapace');
  });
  afterAll(() => cleanUpTemporaryFolders());

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints the link with its token once, and exits cleanly on %s',
    async (signal) => {
      const server = start({ CARAPACE_HOME: home, CARAPACE_PORT: '0' });
      await until(
        () => /Open http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{48}\n/.test(server.output()),
        'the server to start',
      );
      server.child.kill(signal);
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain(`${signal}: shutting down`);
    },
  );

  it('on a busy port, says so in one line and how to choose another, and exits non-zero', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    const server = start({ CARAPACE_HOME: home, CARAPACE_PORT: String(port) });
    expect(await server.exited).toBe(1);
    busy.close();
    expect(server.output()).toBe(
      `carapace: port ${port} on 127.0.0.1 is already in use (another Carapace?). Choose another with CARAPACE_PORT=3002 npm start.\n`,
    );
  });

  it.each([
    [{ CARAPACE_HOME: 'relative/home' }, 'CARAPACE_HOME must be a full path, not "relative/home".'],
    [{ CARAPACE_HOME: '/' }, "CARAPACE_HOME must be a folder of Carapace's own, not /."],
    [{ CARAPACE_HOST: '0.0.0.0', CARAPACE_AUTH: 'off' }, 'CARAPACE_AUTH=off is allowed only on a loopback address'],
  ])('refuses %j in one line', async (env, message) => {
    const server = start({ CARAPACE_HOME: home, CARAPACE_PORT: '0', ...env });
    expect(await server.exited).toBe(2);
    expect(server.output()).toContain(`carapace: ${message}`);
    expect(server.output().trim().split('\n')).toHaveLength(1);
  });
});

describe('a server killed with -9 during an install', () => {
  it('takes its installer with it: the lock is released, and a restarted server installs at once', async () => {
    const mirror = await startMirror();
    const root = temporaryFolder('kill9');
    const home = join(root, 'carapace');
    const env = {
      ...installerEnv(mirror, home, { STANDIN_UV_INSTALL_SECONDS: '20', STANDIN_RECORD_DIR: join(root, 'records') }),
      PATH: pathWithoutSky(),
      CARAPACE_PORT: '0',
      CARAPACE_AUTH: 'off',
      AWS_ACCESS_KEY_ID: 'AKIA-STANDIN',
    };
    try {
      const first = start(env);
      const url = await until(() => /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(first.output())?.[1], 'the server');
      const post = (path: string) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect((await post('/install')).status).toBe(202);
      const owner = join(home, 'install.lock', 'owner');
      const installer = await until(() => existsSync(join(root, 'records')) && lockOwnerPid(owner), 'uv to run');
      first.child.kill('SIGKILL');
      // The installer watches the server (CARAPACE_WATCH_PID): it stops and releases the lock.
      await until(() => !existsSync(join(home, 'install.lock')), 'the lock to be released', 15_000);
      await until(() => !processRuns(installer), 'the orphaned installer to stop', 15_000);

      const second = start({ ...env, STANDIN_UV_INSTALL_SECONDS: '0' });
      const again = await until(() => /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(second.output())?.[1], 'the restart');
      const started = Date.now();
      const check = await fetch(`${again}/clouds/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      console.log(`restarted server's first click after a kill -9: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(check.status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await mirror.close();
      cleanUpTemporaryFolders(root);
    }
  });
});

function lockOwnerPid(owner: string): number | null {
  try {
    return Number(JSON.parse(readFileSync(owner, 'utf8')).pid) || null;
  } catch {
    return null;
  }
}

/** Alive and not a zombie (its state in /proc/<pid>/stat, after the command name). */
function processRuns(pid: number): boolean {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] !== 'Z';
  } catch {
    return false;
  }
}
