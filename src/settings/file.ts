/**
 * CARAPACE_HOME/settings.json: the settings saved from the page, in the one form the
 * installer reads too (src/contract.ts, SETTINGS_FILE). A file of any other form is
 * refused as the installer refuses it (read_settings_file), in the same words:
 * test/installer/settings-file.test.ts gives both the same files.
 */
import { lstatSync } from 'node:fs';
import type { ErrorBody } from '../api.js';
import { SETTINGS_FILE, SETTINGS_LINE } from '../contract.js';
import { readSmallFile, writeSmallFile } from '../status/files.js';

/** What settings.json holds: its values, or why it is refused (and then no value). */
export type SettingsRead = { values: Record<string, string>; problem: ErrorBody | null };

/** SETTINGS_LINE with a name and a value. */
function settingsLine(name: string, value: string): string {
  return SETTINGS_LINE.replace('NAME', () => name).replace('VALUE', () => value);
}

/** A pair line: SETTINGS_LINE's shape, its comma optional. */
const PAIR = new RegExp(`^${settingsLine('([A-Z][A-Z0-9_]*)', '([^"\\\\]*)').replace(/,$/, '(,?)')}$`);

/**
 * The file's values, read again only when it changed since `knownVersion` (its inode,
 * size and time of change): every sky run asks. `read` is null when the version is the
 * one known.
 */
export function readSettingsFile(
  path: string,
  knownVersion: string | null,
): { version: string; read: SettingsRead | null } {
  const version = fileVersion(path);
  if (version === knownVersion) return { version, read: null };
  if (version === '') return { version, read: { values: {}, problem: null } };
  const why = refusal(path);
  if (typeof why === 'string') {
    return {
      version,
      read: {
        values: {},
        problem: { code: 'settings', message: `Cannot read ${path}: ${why}.`, hint: SETTINGS_FILE.refusedHint },
      },
    };
  }
  return { version, read: { values: why, problem: null } };
}

/** Why the file is refused, or its values: the checks in read_settings_file's order. */
function refusal(path: string): string | Record<string, string> {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) return 'it is a symbolic link';
  if (!stat?.isFile()) return 'it is not a regular file';
  const text = readSmallFile(path, SETTINGS_FILE.maxBytes);
  if (text === null) {
    return stat.size > SETTINGS_FILE.maxBytes
      ? `it is larger than ${SETTINGS_FILE.maxBytes} bytes`
      : 'it cannot be read';
  }
  if (text === '') return 'it is empty';
  // A byte outside ASCII, valid UTF-8 or not, is a character outside this range too.
  if (/[^\n\x20-\x7e]/.test(text)) return 'it holds a tab, a control character or a character outside printable ASCII';
  return parsedLines(text);
}

/** The lines, as read_settings_file reads them: a state for what may come next. */
function parsedLines(text: string): string | Record<string, string> {
  const lines = text.split('\n');
  const partial = lines.pop() ?? '';
  const values: Record<string, string> = {};
  let state = 'start' as 'start' | 'first' | 'more' | 'last' | 'closed';
  for (const [index, line] of lines.entries()) {
    const pair: RegExpExecArray | null = state === 'first' || state === 'more' ? PAIR.exec(line) : null;
    if (state === 'start' && (line === '{' || line === '{}')) state = line === '{' ? 'first' : 'closed';
    else if ((state === 'first' || state === 'last') && line === '}') state = 'closed';
    else if (pair) {
      const name: string = pair[1] ?? '';
      if (Object.hasOwn(values, name)) return `${name} is set twice`;
      values[name] = pair[2] ?? '';
      state = pair[3] === ',' ? 'more' : 'last';
    } else return `line ${index + 1} is not in the form Carapace writes`;
  }
  if (partial !== '') return 'its last line does not end with a line break';
  if (state !== 'closed') return 'it ends before its closing }';
  return values;
}

/** 0600: a proxy or API server address may hold a password. Values are checked by the caller (src/settings/settings.ts). */
export function writeSettingsFile(path: string, values: Record<string, string>): void {
  const lines = Object.entries(values).map(([name, value]) => settingsLine(name, value));
  const last = lines.length - 1;
  const body = lines.map((line, index) => (index === last ? line.replace(/,$/, '') : line));
  writeSmallFile(path, body.length ? `{\n${body.join('\n')}\n}\n` : '{}\n', 0o600);
}

/** Which version of a file is there: its inode, size and time of change; '' when there is none. */
function fileVersion(path: string): string {
  try {
    const stat = lstatSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.mode}`;
  } catch {
    return '';
  }
}
