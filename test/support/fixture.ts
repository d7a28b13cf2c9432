/**
 * A Carapace server under test: a temporary CARAPACE_HOME and HOME, the test
 * mirror standing in for uv's downloads and the package index, and a PATH with
 * no `sky` (unless a test adds the stand-in's folder). close() removes every
 * temporary folder it made, which also ends the stand-in's API server.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLER_SCRIPT } from '../../src/config.js';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server.js';
import { standin } from '../mirror/artifacts.js';
import { type Mirror, startMirror } from '../mirror/server.js';

export interface Fixture {
  mirror: Mirror;
  server: RunningServer;
  root: string;
  home: string;
  userHome: string;
  env: NodeJS.ProcessEnv;
  /** fetch a path of the server with its token, with a JSON body when given ({} for a POST without one, as the page sends). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** How many times uv's `tool install` ran (any process). */
  uvInstalls(): number;
  /** GETs of the uv archive seen by the mirror. */
  archiveDownloads(): number;
  /** Stops the server (as a quit app does) and starts a new one on the same folders, with more settings. */
  restart(env?: NodeJS.ProcessEnv): Promise<void>;
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
  server?: Partial<ServerOptions>;
}

const made: string[] = [];

/** A temporary folder under the system's, removed by cleanUpTemporaryFolders (fixtures call it on close). */
export function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), `carapace-${prefix}-`));
  made.push(folder);
  return folder;
}

export function cleanUpTemporaryFolders(...folders: string[]): void {
  for (const folder of folders.length ? folders : made.splice(0)) {
    rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** PATH without any folder that holds a `sky` (this machine has none, but be sure). */
export function pathWithoutSky(): string {
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
  const serve = (serverEnv: NodeJS.ProcessEnv) =>
    startServer({
      host: '127.0.0.1',
      port: options.port ?? 0,
      home,
      allowedHosts: [],
      auth: true,
      token: null,
      env: serverEnv,
      script: options.script,
      heartbeatMs: options.heartbeatMs,
      demo: options.demo,
      ...options.server,
    });
  let server: RunningServer;
  try {
    server = await serve(env);
  } catch (error) {
    if (!options.mirror) await mirror.close();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const fixture: Fixture = {
    mirror,
    server,
    root,
    home,
    userHome,
    env,
    request(method, path, given, headers = {}) {
      const auth = { authorization: `Bearer ${fixture.server.token}` };
      const body = given === undefined && method === 'POST' ? {} : given;
      return fetch(`${fixture.server.url}${path}`, {
        method,
        headers:
          body === undefined ? { ...auth, ...headers } : { ...auth, 'content-type': 'application/json', ...headers },
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
    async restart(more = {}) {
      await fixture.server.close();
      Object.assign(env, more);
      fixture.server = await serve(env);
    },
    async close() {
      await fixture.server.close();
      if (!options.mirror) await mirror.close();
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  return fixture;
}

/** Runs the installer as a terminal would, outside the server. */
export function runInstallerInTerminal(env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawn('sh', [INSTALLER_SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const done = new Promise<{ status: number | null; stdout: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout: output })),
  );
  return { child, done, exit: done.then(({ status }) => status), output: () => output };
}

/** The installer's environment against a test mirror: CARAPACE_HOME, and a user's folder beside it. */
export function installerEnv(mirror: Mirror, home: string, more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(`${home}-user`, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: `${home}-user`,
    CARAPACE_HOME: home,
    CARAPACE_UV_MIRROR: mirror.uvBase,
    UV_DEFAULT_INDEX: mirror.indexUrl,
    UV_PYTHON_INSTALL_MIRROR: mirror.pythonBase,
    ...more,
  };
}

/** A folder holding the stand-in sky, as if SkyPilot had been installed by other means. */
export function standinSkyOnPath(version = '0.10.3'): string {
  const dir = temporaryFolder('path-sky');
  writeFileSync(join(dir, 'sky'), standin('sky', { SKY_VERSION: version }));
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
