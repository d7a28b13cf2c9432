/**
 * SkyPilot's API server: which one every sky the app runs talks to, and the local one.
 *
 * Which: sky/server/common.py, get_server_url -- SKYPILOT_API_SERVER_ENDPOINT, then
 * api_server.endpoint in the user's config file (written by `sky api login -e URL`),
 * then http://127.0.0.1:46580; a trailing / removed. Carapace's setting for a team's
 * server reaches sky as SKYPILOT_API_SERVER_ENDPOINT (src/sky/environment.ts), so it
 * ranks where the variable does -- below the variable itself when Carapace's own
 * environment sets it, above the config file. The file is the one sky/skypilot_config.py
 * reads: SKYPILOT_CONFIG, else SKYPILOT_GLOBAL_CONFIG, else ~/.sky/config.yaml of the
 * HOME sky runs with.
 *
 * The local one: the first `sky` command starts `<python> -m sky.server.server` in the
 * background and it keeps running (sky/server/common.py). SkyPilot keeps no pid file;
 * `sky api stop` finds it by its command line (sky/client/sdk.py, api_stop), and so
 * does this and the installer (API_SERVER_MODULE in the contract): the ones whose
 * command line names a path inside CARAPACE_HOME run from Carapace's install. Read from /proc where there is one (no process started), else
 * from `ps`. On Linux its environment (kept from its start) is read from /proc too.
 */
import { readdirSync } from 'node:fs';
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
  /** Not SkyPilot's local server: a team's, which Carapace neither starts nor stops. */
  team: boolean;
}

/** The user config file sky reads (sky/skypilot_config.py). */
export function skyConfigPath(env: NodeJS.ProcessEnv): string {
  return env.SKYPILOT_CONFIG || env.SKYPILOT_GLOBAL_CONFIG || `${env.HOME ?? ''}/.sky/config.yaml`;
}

/** api_server.endpoint in sky's config file, or null. */
export function configuredEndpoint(env: NodeJS.ProcessEnv): string | null {
  const text = readSmallFile(skyConfigPath(env));
  if (text === null) return null;
  try {
    const parsed: unknown = YAML.parse(text);
    const section = (parsed as { api_server?: { endpoint?: unknown } } | null)?.api_server;
    return typeof section?.endpoint === 'string' && section.endpoint !== '' ? section.endpoint : null;
  } catch {
    return null;
  }
}

/** env: Carapace's own environment; setting: Carapace's team server setting, if set. */
export function resolveApiServer(env: NodeJS.ProcessEnv, setting: string | null): ApiServerEndpoint {
  const configured = env.SKYPILOT_API_SERVER_ENDPOINT || setting ? null : configuredEndpoint(env);
  const [raw, source]: [string, ApiServerStatus['source']] = env.SKYPILOT_API_SERVER_ENDPOINT
    ? [env.SKYPILOT_API_SERVER_ENDPOINT, 'environment']
    : setting
      ? [setting, 'settings']
      : configured
        ? [configured, 'config']
        : [LOCAL_API_SERVER, 'default'];
  const url = raw.replace(/\/+$/, '');
  return { url, source, team: !LOCAL_API_SERVER_URLS.includes(url) };
}

/** An address without its user and password, for a command to type (`sky api login -e URL`). */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

export function isApiServerOf(home: string, commandLine: string): boolean {
  return commandLine.includes(API_SERVER_MODULE) && commandLine.includes(`${home}/`);
}

export async function localApiServerPids(home: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return psApiServerPids(home);
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const raw = readSmallFile(`/proc/${entry}/cmdline`, 64 * 1024);
    if (raw && isApiServerOf(home, raw.split('\0').join(' '))) pids.push(Number(entry));
  }
  return pids;
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

async function psApiServerPids(home: string): Promise<number[]> {
  const { stdout } = await runProcess('ps', ['-A', '-o', 'pid=', '-o', 'args='], { env: process.env }).result;
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && isApiServerOf(home, match[2] ?? ''))
    .map((match) => Number(match[1]));
}
