/**
 * A Carapace server under test: a temporary CARAPACE_HOME and HOME, the test
 * mirror standing in for uv's downloads and the package index, and a PATH with
 * no `sky` (unless a test adds the stand-in's folder).
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLER_SCRIPT } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { STANDINS_DIR } from '../mirror/artifacts.js';
import { type Mirror, startMirror } from '../mirror/server.js';

export interface Fixture {
  mirror: Mirror;
  server: RunningServer;
  home: string;
  userHome: string;
  env: NodeJS.ProcessEnv;
  /** fetch a path of the server, with a JSON body when given. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** How many times uv's `tool install` ran (any process). */
  uvInstalls(): number;
  /** GETs of the uv archive seen by the mirror. */
  archiveDownloads(): number;
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** Folders put in front of PATH. */
  pathFront?: string[];
  env?: NodeJS.ProcessEnv;
  script?: string;
  heartbeatMs?: number;
  mirror?: Mirror;
  /** Defaults to 0 (any free port). */
  port?: number;
  demo?: boolean;
}

/** PATH without any folder that holds a `sky` (this machine has none, but be sure). */
function pathWithoutSky(): string {
  return (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .filter((dir) => {
      try {
        return !readdirSync(dir).includes('sky');
      } catch {
        return false;
      }
    })
    .join(':');
}

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'carapace-test-'));
  const home = join(root, 'carapace');
  const userHome = join(root, 'user');
  const records = join(root, 'uv-runs');
  mkdirSync(userHome);
  const mirror = options.mirror ?? (await startMirror());
  const env: NodeJS.ProcessEnv = {
    PATH: [...(options.pathFront ?? []), pathWithoutSky()].join(':'),
    HOME: userHome,
    LANG: 'C.UTF-8',
    CARAPACE_HOME: home,
    CARAPACE_UV_MIRROR: mirror.uvBase,
    UV_DEFAULT_INDEX: mirror.indexUrl,
    STANDIN_RECORD_DIR: records,
    // The stand-in sky enables AWS as the real one does: when credentials are set.
    AWS_ACCESS_KEY_ID: 'AKIA-STANDIN',
    ...options.env,
  };
  const server = await startServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    home,
    allowedHosts: [],
    env,
    script: options.script,
    heartbeatMs: options.heartbeatMs,
    demo: options.demo,
  });
  return {
    mirror,
    server,
    home,
    userHome,
    env,
    request(method, path, body, headers = {}) {
      return fetch(`${server.url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    uvInstalls() {
      try {
        return readdirSync(records).filter((name) => name.startsWith('uv-run.')).length;
      } catch {
        return 0;
      }
    },
    archiveDownloads() {
      return mirror.requests().filter((r) => r.method === 'GET' && r.path.endsWith('.tar.gz')).length;
    },
    async close() {
      await server.close();
      if (!options.mirror) await mirror.close();
    },
  };
}

/** Runs the installer as a terminal would, outside the server. */
export function runInstallerInTerminal(env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawn('sh', [INSTALLER_SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

/** A folder holding the stand-in sky, as if SkyPilot had been installed by other means. */
export function standinSkyOnPath(version = '0.10.3'): string {
  const dir = mkdtempSync(join(tmpdir(), 'carapace-path-sky-'));
  copyFileSync(join(STANDINS_DIR, 'sky'), join(dir, 'sky'));
  const text = readFileSync(join(dir, 'sky'), 'utf8').replaceAll('@SKY_VERSION@', version);
  writeFileSync(join(dir, 'sky'), text);
  chmodSync(join(dir, 'sky'), 0o755);
  return dir;
}

export async function until<T>(
  probe: () => T | undefined | null | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
