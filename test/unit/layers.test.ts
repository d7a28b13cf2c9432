// The floors of src/, lowest first. A module may import from its own floor and the
// floors below, never from one above: the wire types (api.ts) and the contract know
// nothing of the rest; parsers and runners know nothing of features; features know
// nothing of HTTP; only server.ts puts everything together. Also: no class over 200 lines,
// and test/unit/ (npm run test:unit) spawns neither the script nor sky.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

const FLOORS: [floor: number, modules: string[]][] = [
  [0, ['contract.ts', 'api.ts']],
  [1, ['errors.ts', 'redact.ts', 'config.ts', 'process/', 'events/']],
  [2, ['status/', 'settings/', 'home.ts']],
  [3, ['sky/', 'installer/']],
  [4, ['clouds.ts', 'servers/']],
  [5, ['http/']],
  [6, ['server.ts', 'main.ts']],
];

function floorOf(module: string): number {
  const found = FLOORS.find(([, modules]) => modules.some((prefix) => module === prefix || module.startsWith(prefix)));
  if (!found) throw new Error(`${module} is on no floor: add it to FLOORS in test/unit/layers.test.ts`);
  return found[0];
}

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module of src/ with the modules of src/ it imports (types included). */
function imports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)';/gms)].map(([, specifier]) =>
      relative(SRC, join(dirname(file), specifier ?? '')).replace(/\.js$/, '.ts'),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

describe('the floors of src/', () => {
  it('every module is on a floor, and imports only from its floor or below', () => {
    const upward: string[] = [];
    for (const [module, targets] of imports()) {
      for (const target of targets) {
        if (floorOf(target) > floorOf(module))
          upward.push(`${module} (floor ${floorOf(module)}) imports ${target} (floor ${floorOf(target)})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('api.ts, the wire types the page sees, is a leaf: it takes only the contract', () => {
    expect(imports().get('api.ts')).toEqual(['contract.ts']);
    expect(imports().get('contract.ts')).toEqual([]);
  });

  it('finds the imports it checks (a rule over nothing proves nothing)', () => {
    const all = [...imports().values()].flat();
    expect(all.length).toBeGreaterThan(100);
    expect(imports().get('server.ts')).toContain('http/app.ts');
  });
});

describe('the size of what a maintainer reads at once', () => {
  it('no class of src/ is over 200 lines', () => {
    const classes: { name: string; lines: number }[] = [];
    for (const file of sources()) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, start) => {
        const name = /^(?:export )?(?:abstract )?class (\w+)/.exec(line)?.[1];
        if (!name) return;
        const end = lines.findIndex((closing, index) => index > start && closing === '}');
        classes.push({ name: `${relative(SRC, file)} ${name}`, lines: end - start + 1 });
      });
    }
    expect(classes.length).toBeGreaterThan(10);
    expect(classes.filter((found) => found.lines > 200)).toEqual([]);
  });
});

describe('test/unit/', () => {
  it('runs neither the script nor sky nor a server: no process layer and no server fixture in it', () => {
    const UNIT = new URL('./', import.meta.url).pathname;
    const starting =
      /from '(?:node:child_process|zx(?:\/core)?|[./]*src\/process\/run\.js|\.\.\/support\/fixture\.js)'/;
    const files = readdirSync(UNIT).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((name) => starting.test(readFileSync(join(UNIT, name), 'utf8')))).toEqual([]);
  });
});
