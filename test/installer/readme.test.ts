// README.md is the front door, docs/ the reference: what the installer and the server
// really accept and report -- the usage line, settings, pass-through variables and
// error tables -- is checked against the script's --help and src/contract.ts /
// src/api.ts. A setting or a code added on one side only fails here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES } from '../../src/api.js';
import { INSTALLER_SCRIPT } from '../../src/config.js';
import { INSTALLER_EXIT_STATUS, SETTINGS_VARIABLES } from '../../src/contract.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((name) => `docs/${name}`)];
const front = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The README and the reference in docs/, read as one text. */
const readme = DOCS.map((path) => readFileSync(join(ROOT, path), 'utf8')).join('\n');
const help = spawnSync('sh', [INSTALLER_SCRIPT, '--help'], { encoding: 'utf8' }).stdout;

/** The words of a --help line "<label>: A B C". */
function helpList(label: string): string[] {
  const line = help.split('\n').find((candidate) => candidate.startsWith(`${label}: `));
  if (!line) throw new Error(`--help has no "${label}:" line`);
  return line.slice(label.length + 2).split(' ');
}

/** The rows of the README table whose header row starts with `| <first> |`: first cell -> second cell. */
function table(first: string): Map<string, string> {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${first} |`));
  if (start < 0) throw new Error(`README has no table starting with "${first}"`);
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [key = '', value = ''] = line
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    rows.set(key.replace(/`/g, ''), value);
  }
  return rows;
}

describe('README.md, the front door', () => {
  it('fits 120 lines, with how to run and how to test near the top', () => {
    const lines = front.split('\n');
    expect(lines.length).toBeLessThanOrEqual(120);
    const top = lines.slice(0, 50).join('\n');
    expect(top).toContain('npm install && npm start');
    expect(top).toContain('npm install && npm test');
  });

  it('links only to files that exist, as do the docs', () => {
    const broken: string[] = [];
    for (const path of DOCS) {
      const text = readFileSync(join(ROOT, path), 'utf8');
      for (const [, target = ''] of text.matchAll(/\]\((?!https?:|#)([^)#]+)(?:#[^)]*)?\)/g)) {
        if (!existsSync(join(ROOT, dirname(path), target))) broken.push(`${path} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  it('shows the installer usage line --help prints', () => {
    const usage = help.split('\n').find((line) => line.startsWith('Usage: '));
    expect(usage).toBeDefined();
    expect(readme).toContain(`\n${(usage ?? '').replace('Usage: ', '')}\n`);
  });

  it('documents every installer setting in the settings table', () => {
    const documented = table('variable');
    for (const name of helpList('Settings (environment)')) expect(documented.has(name), name).toBe(true);
  });

  it('names every variable read from settings.json and passed through to uv, curl and wget', () => {
    for (const label of [
      'Read from CARAPACE_HOME/settings.json when not set',
      'Passed to uv',
      'Passed to curl, wget and uv',
    ]) {
      for (const name of helpList(label)) expect(readme, `${label}: ${name}`).toContain(`\`${name}\``);
    }
    expect(helpList('Read from CARAPACE_HOME/settings.json when not set')).toEqual([...SETTINGS_VARIABLES]);
  });

  it("lists exactly the installer's error codes with their exit statuses", () => {
    const rows = table('code');
    const documented = [...rows.entries()]
      .filter(([code]) => code in INSTALLER_EXIT_STATUS)
      .map(([code, exit]) => [code, Number(exit)]);
    expect(Object.fromEntries(documented)).toEqual(INSTALLER_EXIT_STATUS);
  });

  it("lists exactly the server's own error codes", () => {
    const lines = readme.split('\n');
    const start = lines.findIndex((line) => line.startsWith('| code | status |'));
    const codes = lines
      .slice(start + 2)
      .filter((_, i, rest) => rest.slice(0, i + 1).every((line) => line.startsWith('|')))
      .map((line) => (line.split('|')[1] ?? '').trim().replace(/`/g, ''));
    expect(new Set(codes)).toEqual(new Set(SERVER_ERROR_CODES));
  });

  it('names the packages the project is built with: every runtime dependency, vitest and bats', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const built = front.slice(front.indexOf('## Built with'));
    const names = [...Object.keys(manifest.dependencies), 'vitest', 'bats'];
    expect(names).toEqual(expect.arrayContaining(['zx', 'express', 'chokidar', 'proper-lockfile']));
    for (const name of names) expect(built, name).toContain(`[\`${name}\`]`);
  });
});
