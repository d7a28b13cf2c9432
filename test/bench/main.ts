/**
 * npm run bench: every row of bench/results.md, measured as a user meets it -- the
 * server in a process of its own with the token on, the real installer, clients in
 * processes of their own -- on this (shared, noisy) machine, as medians and
 * percentiles over many runs, comparisons alternated within one run, and each row
 * with the load average it ran under. Writes bench/results.md whole, with the
 * previous figures beside the new ones. Not a test: nothing here passes or fails.
 *
 * `npm run bench -- --quick` runs every row with few rounds: a check that all run.
 */
import { startMirror } from '../mirror/server.js';
import { cleanUpTemporaryFolders } from '../support/fixture.js';
import { checkOverhead, firstClicks } from './actions.js';
import { fastPath, freshInstallOverhead, processLayer, realSizes } from './installer.js';
import { build } from './processes.js';
import { Results } from './results.js';
import { eventRows } from './sse.js';
import { statusRows } from './status.js';

const QUICK = process.argv.includes('--quick');
const RESULTS = new URL('../../bench/results.md', import.meta.url);

build();
const results = new Results();
const mirror = await startMirror();
try {
  await fastPath(results, mirror, QUICK);
  await processLayer(results, QUICK);
  await freshInstallOverhead(results, mirror, QUICK);
  await realSizes(results, QUICK);
  await eventRows(results, mirror, QUICK);
  await statusRows(results, QUICK);
  await checkOverhead(results, mirror, QUICK);
  await firstClicks(results, mirror, QUICK);
  results.write(RESULTS, QUICK);
} finally {
  await mirror.close();
  cleanUpTemporaryFolders();
}
