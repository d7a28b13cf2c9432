// The installer's conventions, as its map (under the header) states them, read from
// the file: the sections are the map's, in its order; every variable a function uses
// is its own `local` (lower case) or state the map names (capitals); no _underscore
// names. Nothing is run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INSTALLER_SCRIPT } from '../../src/config.js';

const script = readFileSync(INSTALLER_SCRIPT, 'utf8');
const SECTION = '# ================================================================ ';
const map = script.slice(script.indexOf(`${SECTION}map\n`), script.indexOf('\nset -u\n'));

/** Each function's body, by name: the lines up to its closing brace, here-documents left out. */
function functions(): Map<string, string[]> {
  const bodies = new Map<string, string[]>();
  let current: string[] | null = null;
  let hereDocument = false;
  for (const line of script.split('\n')) {
    const start = /^([a-z_][a-z0-9_]*)\(\) \{$/.exec(line);
    if (start?.[1]) {
      current = [];
      bodies.set(start[1], current);
    } else if (line === '}') current = null;
    else if (hereDocument) hereDocument = line !== 'EOF';
    else if (current && !/^\s*#/.test(line)) {
      hereDocument = /<<EOF$/.test(line);
      // Single-quoted text and comments are not code.
      current.push(line.replace(/'[^']*'/g, "''").replace(/\s#\s.*$/, ''));
    }
  }
  return bodies;
}

/** The names a line of code assigns: at the start of a command, one or several in a row. */
function assigned(line: string): string[] {
  const names: string[] = [];
  for (const start of line.matchAll(/(?:^|[;&|(){]|\b(?:then|do|else)\b)\s*(?=[A-Za-z_][A-Za-z0-9_]*=)/g)) {
    let rest = line.slice((start.index ?? 0) + start[0].length);
    for (let word = /^([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)\s*/.exec(rest); word; ) {
      names.push(word[1] ?? '');
      rest = rest.slice(word[0].length);
      word = /^([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)\s*/.exec(rest);
    }
  }
  return names;
}

/** The lower-case names a line of code uses: expanded, assigned, read into, looped over, in arithmetic. */
function lowerCaseNames(line: string): string[] {
  const names = [
    ...[...line.matchAll(/\$\{?#?([a-z_][a-z0-9_]*)/g)].map((match) => match[1] ?? ''),
    ...assigned(line),
    ...(/\bread -r ([a-z_ ]+)/.exec(line)?.[1]?.split(' ') ?? []),
    ...(/\bfor ([a-z_][a-z0-9_]*) in\b/.exec(line)?.slice(1) ?? []),
    ...[...line.matchAll(/\$\(\((.*?)\)\)/g)].flatMap((match) => (match[1] ?? '').match(/\b[a-z_][a-z0-9_]*\b/g) ?? []),
  ];
  // https_proxy is the environment's (wget reads only the lower-case name).
  return names.filter((name) => /^[a-z_]/.test(name) && name !== 'https_proxy');
}

describe("the installer's conventions", () => {
  it('has the sections its map names, in that order', () => {
    const inMap = [...map.matchAll(/^# {3}(\S+(?: \S+)*?) {2,}/gm)].map((match) => match[1]);
    const inFile = [...script.matchAll(new RegExp(`^${SECTION}(.+)$`, 'gm'))].map((match) => match[1]);
    expect(inFile).toEqual(['map', ...inMap]);
  });

  it("keeps every function's variables local: none reads or sets its caller's", () => {
    const found: string[] = [];
    for (const [name, body] of functions()) {
      const locals = new Set(body.flatMap((line) => /^\s*local (.+)$/.exec(line)?.[1]?.split(' ') ?? []));
      const used = new Set(body.flatMap(lowerCaseNames));
      for (const variable of used) if (!locals.has(variable)) found.push(`${name}: ${variable}`);
    }
    expect(found).toEqual([]);
  });

  it('sets, in its functions, only the state its map names', () => {
    const named = (variable: string) =>
      new RegExp(`\\b${variable}\\b`).test(map) ||
      [...map.matchAll(/\b([A-Z][A-Z_]*_)\*/g)].some((wildcard) => variable.startsWith(wildcard[1] ?? '-'));
    // IFS and LC_ALL are set for one command or one loop, as its environment.
    const state = [...functions().values()]
      .flatMap((body) => body.flatMap(assigned))
      .filter((variable) => /^[A-Z]/.test(variable) && !['IFS', 'LC_ALL'].includes(variable));
    expect(state.length).toBeGreaterThan(50);
    expect([...new Set(state)].filter((variable) => !named(variable))).toEqual([]);
  });

  it('has no _underscore variables left', () => {
    expect(script.match(/(?:^|[\s;$({])_[a-z][a-z0-9_]*=?/gm) ?? []).toEqual([]);
  });
});
