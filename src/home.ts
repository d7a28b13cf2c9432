/**
 * Making CARAPACE_HOME the way the installer does: with its mark, so that the
 * installer later recognizes the folder as Carapace's (see the script's "the
 * folder" section). The server writes only its own files there (servers/, the
 * settings, its token), which --uninstall keeps.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { ConfigError } from './config.js';
import { HOME_MARK_HEADER, HOME_OWNERSHIP, type Layout } from './contract.js';

/**
 * Creates the folder and its mark if it does not exist (or is empty); refuses a
 * folder that someone else may write in (src/contract.ts, HOME_OWNERSHIP).
 */
export function prepareHome(layout: Layout): void {
  mkdirSync(layout.home, { recursive: true, mode: 0o755 });
  if (!isOwnFolder(layout.home)) {
    throw new ConfigError(`${HOME_OWNERSHIP.message} ${layout.home}. ${HOME_OWNERSHIP.hint}`);
  }
  if (existsSync(layout.homeMark) || readdirSync(layout.home).length > 0) return;
  try {
    const fd = openSync(layout.homeMark, 'wx', 0o644);
    writeSync(fd, HOME_MARK_HEADER);
    closeSync(fd);
  } catch {
    // made at the same moment by the installer
  }
}

/** Owned by the user this process runs as, and writable by no group and no other user. */
function isOwnFolder(path: string): boolean {
  const stat = statSync(path);
  return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}
