// One reading of CARAPACE_HOME/settings.json: the installer (read_settings_file) and the
// server (src/settings/file.ts) get the same corpus of files, under every shell the
// installer supports, and read the same values from each or refuse it in the same words.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTINGS_FILE, SETTINGS_VARIABLES } from '../../src/contract.js';
import { readSettingsFile } from '../../src/settings/file.js';
import { cleanUpTemporaryFolders, temporaryFolder } from '../support/fixture.js';
import { runScriptParts, SHELLS, scriptParts } from './script-functions.js';

const folder = temporaryFolder('settings-files');
afterAll(() => cleanUpTemporaryFolders());

const GOOD =
  '{\n  "HTTPS_PROXY": "http://proxy.example:3128",\n  "UV_DEFAULT_INDEX": "https://pypi.example/simple"\n}\n';
/** A file of exactly `size` bytes in the form, padded by a setting no reader knows. */
function padded(size: number): string {
  const frame = '{\n  "PADDING": "",\n  "HTTPS_PROXY": "http://proxy.example:3128"\n}\n';
  return frame.replace('"PADDING": ""', `"PADDING": "${'x'.repeat(size - frame.length)}"`);
}

/** Each file, what it holds (or how it is made), and what both must make of it. */
const CORPUS: { name: string; make: (path: string) => void; expected: string }[] = [
  ...(
    [
      ['the form the server writes', GOOD, 'HTTPS_PROXY UV_DEFAULT_INDEX'],
      ['nothing saved, as {}', '{}\n', ''],
      ['nothing saved, as { and }', '{\n}\n', ''],
      [
        'names no reader knows',
        '{\n  "NOT_A_SETTING": "x",\n  "HTTPS_PROXY": "http://p.example:3128"\n}\n',
        'HTTPS_PROXY',
      ],
      ['an empty value', '{\n  "HTTPS_PROXY": ""\n}\n', ''],
      ['exactly the largest size', padded(SETTINGS_FILE.maxBytes), 'HTTPS_PROXY'],
      [
        'a duplicate name',
        '{\n  "HTTPS_PROXY": "http://a.example:1",\n  "HTTPS_PROXY": "http://b.example:2"\n}\n',
        'HTTPS_PROXY is set twice',
      ],
      ['a duplicate unknown name', '{\n  "X": "1",\n  "X": "2"\n}\n', 'X is set twice'],
      ['one byte too large', padded(SETTINGS_FILE.maxBytes + 1), `it is larger than ${SETTINGS_FILE.maxBytes} bytes`],
      ['an empty file', '', 'it is empty'],
      [
        'a trailing comma (invalid JSON)',
        '{\n  "HTTPS_PROXY": "http://p.example:3128",\n}\n',
        'line 3 is not in the form Carapace writes',
      ],
      [
        'a missing comma (invalid JSON)',
        '{\n  "HTTPS_PROXY": "http://p.example:1"\n  "UV_DEFAULT_INDEX": "https://i.example"\n}\n',
        'line 3 is not in the form Carapace writes',
      ],
      ['JSON on one line', '{"HTTPS_PROXY": "http://p.example:3128"}\n', 'line 1 is not in the form Carapace writes'],
      [
        'a value with an escape',
        '{\n  "HTTPS_PROXY": "http:\\/\\/p.example:3128"\n}\n',
        'line 2 is not in the form Carapace writes',
      ],
      [
        'a value with a unicode escape',
        '{\n  "UV_DEFAULT_INDEX": "https://\\u0070ypi.example"\n}\n',
        'line 2 is not in the form Carapace writes',
      ],
      [
        'a value with an escaped quote',
        '{\n  "SSL_CERT_FILE": "/a\\"b.pem"\n}\n',
        'line 2 is not in the form Carapace writes',
      ],
      [
        'two pairs on a line',
        '{\n  "HTTPS_PROXY": "http://a.example:1", "SSL_CERT_FILE": "/x.pem"\n}\n',
        'line 2 is not in the form Carapace writes',
      ],
      [
        'a lower-case name',
        '{\n  "https_proxy": "http://p.example:3128"\n}\n',
        'line 2 is not in the form Carapace writes',
      ],
      [
        'four spaces of indent',
        '{\n    "HTTPS_PROXY": "http://p.example:3128"\n}\n',
        'line 2 is not in the form Carapace writes',
      ],
      ['a number as a value', '{\n  "HTTPS_PROXY": 3128\n}\n', 'line 2 is not in the form Carapace writes'],
      ['something after the }', `${GOOD}{}\n`, 'line 5 is not in the form Carapace writes'],
      ['no closing }', '{\n  "HTTPS_PROXY": "http://p.example:3128",\n', 'it ends before its closing }'],
      ['no line break at its end', GOOD.trimEnd(), 'its last line does not end with a line break'],
      [
        'a NUL byte in a value',
        '{\n  "HTTPS_PROXY": "http://p.exa\0mple:3128"\n}\n',
        'it holds a tab, a control character or a character outside printable ASCII',
      ],
      [
        'a tab',
        '{\n\t"HTTPS_PROXY": "http://p.example:3128"\n}\n',
        'it holds a tab, a control character or a character outside printable ASCII',
      ],
      [
        'CRLF line ends',
        GOOD.replace(/\n/g, '\r\n'),
        'it holds a tab, a control character or a character outside printable ASCII',
      ],
      [
        'a character outside ASCII',
        '{\n  "SSL_CERT_FILE": "/home/josé/ca.pem"\n}\n',
        'it holds a tab, a control character or a character outside printable ASCII',
      ],
    ] as const
  ).map(([name, text, expected]) => ({ name, make: (path: string) => writeFileSync(path, text), expected })),
  {
    name: 'a symbolic link to a good file',
    make: (path) => {
      writeFileSync(`${path}.target`, GOOD);
      symlinkSync(`${path}.target`, path);
    },
    expected: 'it is a symbolic link',
  },
  { name: 'a FIFO', make: (path) => execFileSync('mkfifo', [path]), expected: 'it is not a regular file' },
  { name: 'a folder', make: (path) => mkdirSync(path), expected: 'it is not a regular file' },
  { name: 'no file', make: () => undefined, expected: '' },
];

const files = CORPUS.map((entry, index) => {
  const dir = join(folder, String(index));
  mkdirSync(dir);
  const path = join(dir, 'settings.json');
  entry.make(path);
  return path;
});

/** What a reader made of a file: "refused: <message> | <hint>", or the values it read, one NAME=value a line. */
function inTypeScript(path: string): string {
  const { read } = readSettingsFile(path, null);
  if (read?.problem) return `refused: ${read.problem.message} | ${read.problem.hint}`;
  return SETTINGS_VARIABLES.flatMap((name) => (read?.values[name] ? [`${name}=${read.values[name]}`] : [])).join('\n');
}

/** What the expected outcome reads as: the settings named, with their values as written in the file, or the refusal. */
function expectedOf(path: string, expected: string): string {
  if (expected !== '' && !/^[A-Z_ ]+$/.test(expected)) {
    return `refused: Cannot read ${path}: ${expected}. | ${SETTINGS_FILE.refusedHint}`;
  }
  const written = expected ? readFileSync(path, 'utf8') : '';
  return expected
    .split(' ')
    .filter(Boolean)
    .map((name) => `${name}=${new RegExp(`"${name}": "([^"]*)"`).exec(written)?.[1]}`)
    .join('\n');
}

const parts = scriptParts('read_settings_file', 'refuse_settings_file');
const program = `
err() { printf 'refused: %s. | %s\\n' "$2" "$3"; exit 0; }
log() { :; }
SETTINGS_FILE=$1
read_settings_file
for name in $SETTINGS_VARIABLES; do eval "value=\\\${$name:-}"; [ -z "$value" ] || printf '%s=%s\\n' "$name" "$value"; done`;

describe('settings.json, read by the installer and by the server', () => {
  it('the server reads each file of the corpus as it is meant to', () => {
    for (const [index, entry] of CORPUS.entries()) {
      const path = files[index] ?? '';
      expect(inTypeScript(path), entry.name).toBe(expectedOf(path, entry.expected));
    }
  });

  for (const shell of SHELLS) {
    it(`the installer under ${shell.join(' ')} reads each file as the server does`, () => {
      for (const [index, entry] of CORPUS.entries()) {
        const path = files[index] ?? '';
        expect(runScriptParts(shell, parts, program, [path]).trimEnd(), entry.name).toBe(inTypeScript(path));
      }
    });
  }
});
