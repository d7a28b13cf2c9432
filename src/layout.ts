/**
 * The one place on the TypeScript side that knows the layout of CARAPACE_HOME.
 * It mirrors set_layout in scripts/install-skypilot.sh, which owns these files.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Layout {
  home: string;
  /** install.json: written last by the installer; no marker means not installed. */
  marker: string;
  /** install.lock: proper-lockfile's lock directory (stale after 20 s). */
  lock: string;
  /** The file proper-lockfile is told it locks; its lock is `${lockTarget}.lock`. */
  lockTarget: string;
  lockOwner: string;
  skyBin: string;
  installLog: string;
  /** Where the server writes SkyPilot task files (not the installer's: --uninstall keeps it). */
  servers: string;
}

export const LOCK_STALE_MS = 20_000;

export function carapaceHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CARAPACE_HOME || join(env.HOME || homedir(), '.carapace'));
}

export function layoutOf(home: string): Layout {
  return {
    home,
    marker: join(home, 'install.json'),
    lock: join(home, 'install.lock'),
    lockTarget: join(home, 'install'),
    lockOwner: join(home, 'install.lock.owner'),
    skyBin: join(home, 'tools', 'bin', 'sky'),
    installLog: join(home, 'logs', 'install.log'),
    servers: join(home, 'servers'),
  };
}
