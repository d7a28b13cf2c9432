/**
 * SkyPilot's local API server: the first `sky` command starts
 * `<python> -m sky.server.server` in the background and it keeps running
 * (sky/server/common.py). SkyPilot keeps no pid file; `sky api stop` finds it by
 * its command line (sky/client/sdk.py, api_stop), and so do this and the installer
 * (API_SERVER_MODULE in the contract): the ones whose command line names a path
 * inside CARAPACE_HOME run from Carapace's install. Read from /proc where there is
 * one (no process started), else from `ps`.
 */
import { readdirSync } from 'node:fs';
import { API_SERVER_MODULE } from '../contract.js';
import { runProcess } from '../process/run.js';
import { readSmallFile } from './files.js';

/** Where the local one listens (sky/server/common.py, DEFAULT_SERVER_URL). */
export const LOCAL_API_SERVER = 'http://127.0.0.1:46580';

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

async function psApiServerPids(home: string): Promise<number[]> {
  const { stdout } = await runProcess('ps', ['-A', '-o', 'pid=', '-o', 'args='], { env: process.env }).result;
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && isApiServerOf(home, match[2] ?? ''))
    .map((match) => Number(match[1]));
}
