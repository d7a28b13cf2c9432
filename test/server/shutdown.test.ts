// SIGTERM/SIGINT: the installer is told to stop (it releases its lock), SSE clients are closed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture, until } from '../support/fixture.js';
import { Listener } from '../support/sse.js';

describe('graceful shutdown', () => {
  it('stops a running install, which releases its lock, and closes event streams', async () => {
    const fx: Fixture = await startFixture({ env: { STANDIN_UV_INSTALL_SECONDS: '30' } });
    const sse = new Listener(fx.server.url);
    await fx.request('POST', '/install');
    await until(() => fx.server.session.progress()?.events.some((e) => e.message.startsWith('Prepared')), 'uv to run');
    expect(existsSync(join(fx.home, 'install.lock'))).toBe(true);
    const closed = new Promise<void>((resolve) => sse.source.addEventListener('error', () => resolve()));
    await fx.close();
    await closed;
    sse.close();
    expect(existsSync(join(fx.home, 'install.lock'))).toBe(false);
    expect(existsSync(join(fx.home, 'install.json'))).toBe(false);
    expect(sse.of('install').at(-1)?.data).toMatchObject({ phase: 'error', code: 'interrupted' });
  });
});

describe('npm start', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'carapace-start-'));
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits cleanly on %s', async (signal) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, CARAPACE_HOME: home, CARAPACE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    await until(() => /Carapace is running at http:\/\/127\.0\.0\.1:\d+/.test(output), 'the server to start');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(output).toContain(`${signal}: shutting down`);
  });
});
