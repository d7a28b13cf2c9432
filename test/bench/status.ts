/**
 * GET /status against a bare node:http server sending the same body: both servers
 * in processes of their own, the load from a third; and the first request of 200
 * new connections at once.
 */
import { join } from 'node:path';
import { INSTALLER_SCRIPT } from '../../src/config.js';
import { cleanUpTemporaryFolders, temporaryFolder } from '../support/fixture.js';
import { type BenchServer, startBenchServer, startClients } from './processes.js';
import type { Results } from './results.js';
import { max, mean, median, min, ms, percentile, ratio } from './stats.js';

interface Sample {
  p50: number;
  mean: number;
  p99: number;
  rate: number;
}

async function loadSample(server: BenchServer, path: string, connections: number, seconds: number): Promise<Sample> {
  const load = startClients({ kind: 'load', url: `${server.url}${path}`, token: server.token, connections, seconds });
  const report = await load.next<{ latencies: number[]; seconds: number }>();
  await load.ended;
  return {
    p50: median(report.latencies),
    mean: mean(report.latencies),
    p99: percentile(report.latencies, 0.99),
    rate: report.latencies.length / report.seconds,
  };
}

/** "median ratio (min–max over the samples)" of ours ÷ theirs, sample by sample. */
function ratios(ours: Sample[], theirs: Sample[], figure: (sample: Sample) => number, inverse = false): string {
  const each = ours.map((sample, i) => {
    const other = theirs[i] as Sample;
    return inverse ? figure(other) / figure(sample) : figure(sample) / figure(other);
  });
  return `${ratio(median(each))} (${ratio(min(each))}–${ratio(max(each))})`;
}

export async function statusRows(results: Results, quick: boolean): Promise<void> {
  const folder = temporaryFolder('bench-status');
  const home = join(folder, 'carapace');
  const server = await startBenchServer({
    kind: 'carapace',
    home,
    env: { PATH: process.env.PATH, HOME: folder },
    script: INSTALLER_SCRIPT,
  });
  const body = Buffer.from(
    await (await fetch(`${server.url}/status`, { headers: { authorization: `Bearer ${server.token}` } })).arrayBuffer(),
  );
  const bare = await startBenchServer({ kind: 'bare', body: body.toString('base64') });
  const seconds = quick ? 1 : 2;
  const samples = quick ? 2 : 6;
  try {
    for (const connections of [1, 50, 200]) {
      await results.row(async () => {
        const ours: Sample[] = [];
        const theirs: Sample[] = [];
        for (let i = 0; i < samples; i++) {
          // Alternated, the order swapped every sample, so that the machine's noise hits both alike.
          if (i % 2 === 0) {
            ours.push(await loadSample(server, '/status', connections, seconds));
            theirs.push(await loadSample(bare, '/status', connections, seconds));
          } else {
            theirs.push(await loadSample(bare, '/status', connections, seconds));
            ours.push(await loadSample(server, '/status', connections, seconds));
          }
        }
        const figure = (side: Sample[], pick: (sample: Sample) => number) => median(side.map(pick));
        return {
          measure: `GET /status vs bare node:http, same body, ${connections} client(s): p50, mean and throughput ratios`,
          timed:
            'each GET in the load process, `request()` to the end of the answer, on keep-alive connections each warmed by one request; ' +
            'Carapace with the token checked, the bare server ignoring it',
          issue12: '1.6–2.5×',
          previous: {
            1: 'p50 1.07×, mean 1.05×, throughput 1.06× (stop 25); 1.01× (0.21 vs 0.20 ms); 1.05× throughput',
            50: 'p50 0.94×, mean 0.99×, throughput 0.99× (stop 25); 1.08× (2.50 vs 2.32 ms); 1.00× throughput',
            200: 'p50 1.13×, mean 1.16×, throughput 1.16× (stop 25); 1.92× (24 vs 13 ms); 1.08× throughput; issue 20: 0.91×, and by Little’s law 14.4 vs 13.4 ms mean',
          }[connections as 1 | 50 | 200],
          now:
            `p50 ${ratios(ours, theirs, (s) => s.p50)} (${ms(figure(ours, (s) => s.p50))} vs ${ms(figure(theirs, (s) => s.p50))}); ` +
            `mean ${ratios(ours, theirs, (s) => s.mean)} (${ms(figure(ours, (s) => s.mean))} vs ${ms(figure(theirs, (s) => s.mean))}); ` +
            `throughput ${ratios(ours, theirs, (s) => s.rate, true)} (${figure(ours, (s) => s.rate).toFixed(0)} vs ${figure(theirs, (s) => s.rate).toFixed(0)} req/s); ` +
            `p99 ${ms(figure(ours, (s) => s.p99))} vs ${ms(figure(theirs, (s) => s.p99))}`,
          target: '≤ 1.2×',
          runs: `${samples} alternated samples of ${seconds} s each side (ratios: median, min–max over samples)`,
        };
      });
    }
    await results.row(async () => {
      const firsts: number[] = [];
      for (let round = 0; round < (quick ? 3 : 10); round++) {
        const first = startClients({
          kind: 'first',
          url: `${server.url}/status`,
          token: server.token,
          connections: 200,
        });
        const report = await first.next<{ latencies: number[] }>();
        await first.ended;
        firsts.push(max(report.latencies));
      }
      return {
        measure: 'GET /status, first request on 200 new connections at once: the slowest',
        timed:
          'in the client process, from `request()` (connection not yet open) to the end of the answer, 200 at once',
        issue12: '0.4–1.1 s',
        previous: 'median of maxima 50 ms (42–81 ms) (stop 25); median of maxima 59 ms, worst 65 ms',
        now: `median of maxima ${ms(median(firsts))} (${ms(min(firsts))}–${ms(max(firsts))})`,
        target: '≤ 100 ms',
        runs: `${firsts.length} rounds of 200`,
      };
    });
  } finally {
    await bare.close();
    await server.close();
    cleanUpTemporaryFolders(folder);
  }
}
