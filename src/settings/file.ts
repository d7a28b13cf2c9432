/**
 * CARAPACE_HOME/settings.json: the settings saved from the page, in the form the
 * installer reads too -- a JSON object, one `"NAME": "value"` pair a line.
 */
import { lstatSync } from 'node:fs';
import { readJsonObject, writeSmallFile } from '../status/files.js';

/**
 * The file's pairs, read again only when it changed since `knownVersion` (its
 * inode, size and time of change): every sky run asks. `record` is null when the
 * version is the one known.
 */
export function readSettingsFile(
  path: string,
  knownVersion: string | null,
): { version: string; record: Record<string, unknown> | null } {
  const version = fileVersion(path);
  if (version === knownVersion) return { version, record: null };
  return { version, record: readJsonObject(path) ?? {} };
}

/** 0600: a proxy or API server address may hold a password. */
export function writeSettingsFile(path: string, values: Record<string, string>): void {
  const lines = Object.entries(values).map(([name, value]) => `  ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
  writeSmallFile(path, lines.length ? `{\n${lines.join(',\n')}\n}\n` : '{}\n', 0o600);
}

/** Which version of a file is there: its inode, size and time of change; '' when there is none. */
function fileVersion(path: string): string {
  try {
    const stat = lstatSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return '';
  }
}
