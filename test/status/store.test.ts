// src/status/store.ts while the server's own install runs: nothing is read of the store's
// own accord (chokidar's pass over the folder at each change held the installer's lines
// back), and the install's end reads and publishes what changed meanwhile.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstallStatus } from '../../src/api.js';
import { layoutOf, MARKER_FIELDS } from '../../src/contract.js';
import { LOCAL_API_SERVER } from '../../src/status/api-server.js';
import { StatusStore } from '../../src/status/store.js';
import { cleanUpTemporaryFolders, temporaryFolder } from '../support/fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for fs.watch and chokidar to report a change here (they do within ~10 ms). */
const SETTLE_MS = 300;
const stores: StatusStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  cleanUpTemporaryFolders();
});

async function openStore(): Promise<{
  layout: ReturnType<typeof layoutOf>;
  events: InstallStatus[];
  store: StatusStore;
}> {
  const folder = temporaryFolder('store');
  const home = join(folder, 'carapace');
  mkdirSync(home);
  const layout = layoutOf(home);
  const events: InstallStatus[] = [];
  // PATH: an empty folder, so that no sky on this machine's PATH is found.
  const store = new StatusStore(layout, { PATH: folder }, (status) => events.push(status), {
    apiServer: () => ({ url: LOCAL_API_SERVER, source: 'default', configFile: null, team: false }),
    skyEnvironment: () => ({}),
    serverVariables: [],
  });
  stores.push(store);
  await store.start();
  return { layout, events, store };
}

/** What an install leaves: an executable sky and the marker naming it. */
function installed(layout: ReturnType<typeof layoutOf>): void {
  mkdirSync(dirname(layout.skyBin), { recursive: true });
  writeFileSync(layout.skyBin, '#!/bin/sh\n');
  chmodSync(layout.skyBin, 0o755);
  const marker = Object.fromEntries(MARKER_FIELDS.map((field) => [field, field === 'extras' ? '' : `${field}-x`]));
  writeFileSync(layout.marker, JSON.stringify({ ...marker, sky_version: '1.0.0' }));
}

describe('the status store during its own install', () => {
  it('reads nothing while the install runs, and publishes what it left once it ends', async () => {
    const { layout, events, store } = await openStore();
    store.beginInstall('install-1');
    expect(events.at(-1)).toMatchObject({ state: 'installing', install_id: 'install-1', sky_version: null });
    const before = events.length;
    installed(layout);
    await sleep(SETTLE_MS);
    // Read, the marker would show as sky_version while the state is still installing.
    expect(events.length).toBe(before);
    expect(store.status()).toMatchObject({ state: 'installing', sky_version: null });
    await store.endInstall(null);
    expect(events.at(-1)).toMatchObject({ state: 'installed', source: 'managed', sky_version: '1.0.0' });
    // No status from before the install (not_installed) came between.
    expect(events.slice(before).map((status) => status.state)).toEqual(['installed']);
  });

  it('watches again once it ends: a marker removed later is noticed', async () => {
    const { layout, events, store } = await openStore();
    installed(layout);
    store.beginInstall('install-1');
    await store.endInstall(null);
    expect(store.status().state).toBe('installed');
    writeFileSync(layout.marker, '');
    await sleep(SETTLE_MS);
    expect(events.at(-1)).toMatchObject({ state: 'not_installed' });
  });
});
