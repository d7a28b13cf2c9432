// SIGTERM/SIGINT: the installer is told to stop (it releases its lock), SSE clients are closed.
// npm start: its link, a clean exit, and plain answers when it cannot start.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpTemporaryFolders, type Fixture, startFixture, temporaryFolder, until } from '../support/fixture.js';
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
        () => /Open http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}\n/.test(server.output()),
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
