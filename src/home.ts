/**
 * Making CARAPACE_HOME the way the installer does: with its mark, so that the
 * installer later recognizes the folder as Carapace's (see the script's "the
 * folder" section). The server writes only its own files there (servers/, the
 * settings, its token), which --uninstall keeps.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { HOME_MARK_HEADER, type Layout } from './contract.js';

/** Creates the folder and its mark if it does not exist (or is empty). */
export function prepareHome(layout: Layout): void {
  mkdirSync(layout.home, { recursive: true, mode: 0o755 });
  if (existsSync(layout.homeMark) || readdirSync(layout.home).length > 0) return;
  try {
    const fd = openSync(layout.homeMark, 'wx', 0o644);
    writeSync(fd, HOME_MARK_HEADER);
    closeSync(fd);
  } catch {
    // made at the same moment by the installer
  }
}
