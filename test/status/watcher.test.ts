// src/status/watcher.ts: chokidar on CARAPACE_HOME reports the entries the status is read
// from, not the folders an install fills; paused (as during the server's own install), it
// reports nothing, also when paused before chokidar was ready, and resumed it reports again.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { layoutOf } from '../../src/contract.js';
import { HomeWatcher } from '../../src/status/watcher.js';
import { cleanUpTemporaryFolders, temporaryFolder } from '../support/fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const watchers: HomeWatcher[] = [];

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
  cleanUpTemporaryFolders();
});

function watched(): { layout: ReturnType<typeof layoutOf>; changes: () => number; watcher: HomeWatcher } {
  const home = join(temporaryFolder('watcher'), 'carapace');
  mkdirSync(home);
  const layout = layoutOf(home);
  let changes = 0;
  const watcher = new HomeWatcher(layout, () => {
    changes += 1;
  });
  watchers.push(watcher);
  return { layout, changes: () => changes, watcher };
}

/** Long enough for fs.watch and chokidar to report a change here (they do within ~10 ms). */
const SETTLE_MS = 300;

describe('HomeWatcher', () => {
  it('reports a change of the marker, and none in the folders an install fills', async () => {
    const { layout, changes, watcher } = watched();
    await watcher.resume();
    mkdirSync(join(layout.home, 'staging'));
    writeFileSync(join(layout.home, 'staging', 'part'), 'x');
    await sleep(SETTLE_MS);
    expect(changes()).toBe(0);
    writeFileSync(layout.marker, '{}');
    await sleep(SETTLE_MS);
    expect(changes()).toBeGreaterThan(0);
  });

  it('reports nothing while paused, and again once resumed', async () => {
    const { layout, changes, watcher } = watched();
    await watcher.resume();
    await watcher.pause();
    writeFileSync(layout.marker, '{}');
    await sleep(SETTLE_MS);
    expect(changes()).toBe(0);
    await watcher.resume();
    rmSync(layout.marker);
    await sleep(SETTLE_MS);
    expect(changes()).toBeGreaterThan(0);
  });

  it('stays paused when paused before chokidar was ready', async () => {
    const { layout, changes, watcher } = watched();
    const ready = watcher.resume();
    await watcher.pause();
    await ready;
    writeFileSync(layout.marker, '{}');
    await sleep(SETTLE_MS);
    expect(changes()).toBe(0);
  });

  it('once closed, is not started again by resume()', async () => {
    const { layout, changes, watcher } = watched();
    await watcher.resume();
    await watcher.close();
    await watcher.resume();
    writeFileSync(layout.marker, '{}');
    await sleep(SETTLE_MS);
    expect(changes()).toBe(0);
  });
});
