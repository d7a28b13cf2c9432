/**
 * SkyPilot's API server: which one every sky the app runs talks to, and the local one.
 *
 * Which: sky/server/common.py, get_server_url -- SKYPILOT_API_SERVER_ENDPOINT, then
 * api_server.endpoint in sky's config (written by `sky api login -e URL`), then
 * http://127.0.0.1:46580; every trailing / removed (url.rstrip('/')). Carapace's setting
 * for a team's server reaches sky as SKYPILOT_API_SERVER_ENDPOINT (src/sky/environment.ts),
 * so it ranks where the variable does -- below the variable itself when Carapace's own
 * environment sets it, above the config. The config is what sky/skypilot_config.py
 * (reload_config, _reload_config_as_client) loads: SKYPILOT_CONFIG's file alone when that
 * is set; else the user's file (SKYPILOT_GLOBAL_CONFIG, else ~/.sky/config.yaml of the
 * HOME sky runs with) with the project's laid over it (SKYPILOT_PROJECT_CONFIG, else
 * .sky.yaml in the folder sky runs in: Carapace runs every sky in CARAPACE_HOME, so that
 * where Carapace was started changes nothing). Paths are ~-expanded as sky does. Empty
 * variables count as unset: src/sky/environment.ts keeps them from sky, which would take
 * an empty one as set (an empty URL, a config file '' that does not exist).
 *
 * The local one: the first `sky` command starts `<python> -m sky.server.server` in the
 * background and it keeps running (sky/server/common.py). SkyPilot keeps no pid file;
 * `sky api stop` finds it by its command line (sky/client/sdk.py, api_stop), and so
 * does this and the installer (API_SERVER_MODULE in the contract), with Carapace's install
 * for `<python>` (see isApiServerOf). Read from /proc where there is one (no process
 * started), else from `ps`. On Linux its environment (kept from its start) is read from
 * /proc too.
 */
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { YAML } from 'zx';
import type { ApiServerStatus } from '../api.js';
import { API_SERVER_MODULE } from '../contract.js';
import { runProcess } from '../process/run.js';
import { readSmallFile } from './files.js';

/** Where the local one listens (sky/server/common.py, DEFAULT_SERVER_URL). */
export const LOCAL_API_SERVER = 'http://127.0.0.1:46580';
/** sky/server/common.py, AVAILABLE_LOCAL_API_SERVER_URLS: any other address is a team's server. */
const LOCAL_API_SERVER_URLS = ['http://0.0.0.0:46580', 'http://localhost:46580', LOCAL_API_SERVER];

/** The API server sky uses, and where its address comes from. */
export interface ApiServerEndpoint {
  /** As sky uses it: credentials included (never shown: see redactUrl). */
  url: string;
  source: ApiServerStatus['source'];
  /** With source `config`: the file that sets it. */
  configFile: string | null;
  /** Not SkyPilot's local server: a team's, which Carapace neither starts nor stops. */
  team: boolean;
}

/** The config files sky reads as a client, the last one's keys winning; cwd: the folder sky runs in. */
export function skyConfigPaths(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const path = (given: string) => resolve(cwd, given.replace(/^~(?=\/|$)/, env.HOME || homedir()));
  if (env.SKYPILOT_CONFIG) return [path(env.SKYPILOT_CONFIG)];
  return [path(env.SKYPILOT_GLOBAL_CONFIG || '~/.sky/config.yaml'), path(env.SKYPILOT_PROJECT_CONFIG || '.sky.yaml')];
}

/** api_server.endpoint in one config file, or null. */
function endpointIn(file: string): string | null {
  const text = readSmallFile(file);
  if (text === null) return null;
  try {
    const parsed: unknown = YAML.parse(text);
    const section = (parsed as { api_server?: { endpoint?: unknown } } | null)?.api_server;
    return typeof section?.endpoint === 'string' && section.endpoint !== '' ? section.endpoint : null;
  } catch {
    return null;
  }
}

/** api_server.endpoint in sky's config and the file that sets it, or null. */
function configuredEndpoint(env: NodeJS.ProcessEnv, cwd: string): { url: string; file: string } | null {
  for (const file of skyConfigPaths(env, cwd).reverse()) {
    const url = endpointIn(file);
    if (url !== null) return { url, file };
  }
  return null;
}

/**
 * env: Carapace's own environment; setting: Carapace's team server setting, if set;
 * cwd: the folder sky runs in (CARAPACE_HOME).
 */
export function resolveApiServer(env: NodeJS.ProcessEnv, setting: string | null, cwd: string): ApiServerEndpoint {
  const configured = env.SKYPILOT_API_SERVER_ENDPOINT || setting ? null : configuredEndpoint(env, cwd);
  const [raw, source]: [string, ApiServerStatus['source']] = env.SKYPILOT_API_SERVER_ENDPOINT
    ? [env.SKYPILOT_API_SERVER_ENDPOINT, 'environment']
    : setting
      ? [setting, 'settings']
      : configured
        ? [configured.url, 'config']
        : [LOCAL_API_SERVER, 'default'];
  const url = raw.replace(/\/+$/, '');
  return { url, source, configFile: configured?.file ?? null, team: !LOCAL_API_SERVER_URLS.includes(url) };
}

/** An address without its user and password, for a command to type (`sky api login -e URL`). */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** What decides whether a process is Carapace's API server. */
export interface ProcessFacts {
  /** Its effective user id. */
  uid: number;
  /** Its arguments joined by spaces, the program's name first. */
  commandLine: string;
  /** The program it runs (/proc/<pid>/exe), where that can be read. */
  exe: string | null;
}

/**
 * Whether a process is SkyPilot's local API server run from this CARAPACE_HOME
 * (`homes`: the folder as given and as resolved): a process of this user (`uid`)
 * running `-m sky.server.server` whose program is inside the home -- /proc/<pid>/exe,
 * which for the real one is the managed Python's binary, or an argument before `-m`:
 * SkyPilot starts it as `[sys.executable, '-m', 'sky.server.server', ...]`
 * (sky/server/common.py at 00eeb740, _start_api_server), the tool environment's
 * python first; a `#!` script standing for it has its interpreter in front. Any
 * other user's process is not Carapace's, whatever its arguments say, nor is one
 * that only names the home further on (root's `runuser -u nobody -- python3 -m
 * sky.server.server <home>/x`, the parent of such a process).
 */
export function isApiServerOf(homes: readonly string[], uid: number, facts: ProcessFacts): boolean {
  if (facts.uid !== uid) return false;
  const at = facts.commandLine.indexOf(` ${API_SERVER_MODULE}`);
  if (at < 0) return false;
  const program = ` ${facts.commandLine.slice(0, at)}`;
  return homes.some((home) => facts.exe?.startsWith(`${home}/`) || program.includes(` ${home}/`));
}

export async function localApiServerPids(home: string): Promise<number[]> {
  const homes = [home];
  try {
    homes.push(realpathSync(home));
  } catch {
    // not made yet: nothing can run from it
  }
  const uid = process.getuid?.() ?? -1;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return psApiServerPids(homes, uid);
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const raw = readSmallFile(`/proc/${entry}/cmdline`, 64 * 1024);
    const commandLine = raw?.split('\0').join(' ');
    // The cheap test first: nearly no process names the module.
    if (!commandLine?.includes(API_SERVER_MODULE)) continue;
    // The effective user id: the second field of the Uid line.
    const owner = /^Uid:\s+\d+\s+(\d+)/m.exec(readSmallFile(`/proc/${entry}/status`) ?? '')?.[1];
    const facts = { uid: Number(owner ?? Number.NaN), commandLine, exe: programOf(entry) };
    if (isApiServerOf(homes, uid, facts)) pids.push(Number(entry));
  }
  return pids;
}

/** /proc/<pid>/exe, or null (a process that is gone, or not readable). */
function programOf(pid: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** The environment a process started with (Linux), or null where it cannot be read. */
export function startEnvironment(pid: number): NodeJS.ProcessEnv | null {
  const raw = readSmallFile(`/proc/${pid}/environ`, 1024 * 1024);
  if (raw === null) return null;
  const env: NodeJS.ProcessEnv = {};
  for (const entry of raw.split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/** macOS: `ps` names each process's effective user and arguments (not its program). */
async function psApiServerPids(homes: readonly string[], uid: number): Promise<number[]> {
  const { stdout } = await runProcess('ps', ['-A', '-o', 'pid=', '-o', 'uid=', '-o', 'args='], { env: process.env })
    .result;
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter(
      (match): match is RegExpExecArray =>
        match !== null && isApiServerOf(homes, uid, { uid: Number(match[2]), commandLine: match[3] ?? '', exe: null }),
    )
    .map((match) => Number(match[1]));
}
