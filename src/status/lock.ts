/**
 * Whether another process holds the install lock: the lock directory is fresh
 * (proper-lockfile's check, the same staleness as the script's), and its owner --
 * when it names a process on this host -- is still alive. A lock whose owner was
 * killed is not waited for (the script takes it over at once as well).
 */
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import { type Layout, LOCK } from '../contract.js';
import { readJsonObject } from './files.js';

export interface LockOwner {
  pid: number | null;
  host: string | null;
  started_at: string | null;
}

export function readLockOwner(layout: Layout): LockOwner | null {
  const record = readJsonObject(layout.lockOwner);
  if (!record) return null;
  const [pid, host, started] = LOCK.ownerFields.map((field) => record[field]);
  return {
    pid: typeof pid === 'number' && Number.isInteger(pid) ? pid : null,
    host: typeof host === 'string' ? host : null,
    started_at: typeof started === 'string' ? started : null,
  };
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner when another live process holds it; null when it is free or abandoned. */
export async function lockHolder(layout: Layout): Promise<LockOwner | null> {
  const fresh = await lockfile
    .check(`${layout.home}/install`, { lockfilePath: layout.lock, stale: LOCK.staleMs, realpath: false })
    .catch(() => false);
  if (!fresh) return null;
  const owner = readLockOwner(layout) ?? { pid: null, host: null, started_at: null };
  if (owner.pid !== null && owner.host === hostname() && !processIsAlive(owner.pid)) return null;
  return owner;
}
