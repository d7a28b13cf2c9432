/**
 * npm run bench: the figures the issues ask for, as medians over many runs on this
 * (shared, noisy) machine. Not a test: nothing here passes or fails.
 *
 * 1. the installer's fast path (an installed folder) vs starting `sh -c true`
 * 2. GET /status latency on a running server
 * 3. time from the installer printing a line to an SSE client receiving it
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALLER_SCRIPT } from '../src/config.js';
import { startServer } from '../src/server.js';
import { startMirror } from '../test/mirror/server.js';
import { Listener } from '../test/support/sse.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function timeRun(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
        : reject(new Error(`${command} exited ${code}`)),
    );
  });
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function fastPath(): Promise<void> {
  const mirror = await startMirror();
  const home = mkdtempSync(join(tmpdir(), 'carapace-bench-'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CARAPACE_HOME: join(home, '.carapace'),
    CARAPACE_UV_MIRROR: mirror.uvBase,
    UV_DEFAULT_INDEX: mirror.indexUrl,
  };
  await timeRun('sh', [INSTALLER_SCRIPT], env);
  const script: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 300; i++) {
    // interleaved, so that noise hits both alike
    script.push(await timeRun('sh', [INSTALLER_SCRIPT], env));
    baseline.push(await timeRun('sh', ['-c', 'true'], env));
  }
  await mirror.close();
  console.log(
    `installer fast path: median ${fmt(median(script))}, p90 ${fmt(percentile(script, 0.9))} over ${script.length} runs; ` +
      `sh -c true: median ${fmt(median(baseline))}; ratio ${(median(script) / median(baseline)).toFixed(2)}`,
  );
}

/** A server on a free port with an empty CARAPACE_HOME. */
function benchServer(env: NodeJS.ProcessEnv = {}, script?: string) {
  const home = mkdtempSync(join(tmpdir(), 'carapace-bench-'));
  return startServer({
    host: '127.0.0.1',
    port: 0,
    home,
    allowedHosts: [],
    auth: false,
    token: null,
    env: { PATH: process.env.PATH, HOME: home, ...env },
    script,
  });
}

async function statusLatency(): Promise<void> {
  const server = await benchServer();
  const url = new URL(`${server.url}/status`);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const start = process.hrtime.bigint();
      request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
      })
        .on('error', reject)
        .end();
    });
  for (let i = 0; i < 200; i++) await once(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) samples.push(await once());
  agent.destroy();
  await server.close();
  console.log(
    `GET /status: median ${fmt(median(samples))}, p99 ${fmt(percentile(samples, 0.99))} over ${samples.length} requests`,
  );
}

async function lineToClient(): Promise<void> {
  const server = await benchServer({ BENCH_LINES: '300' }, fileURLToPath(new URL('./emit-lines.sh', import.meta.url)));
  const sse = new Listener(server.url);
  await sse.waitFor((e) => e.type === 'snapshot', 'snapshot');
  const latencies: number[] = [];
  sse.source.addEventListener('install', (event: MessageEvent) => {
    const received = (performance.timeOrigin + performance.now()) * 1e6;
    const printed = Number(
      /t=(\d+)/.exec(String((JSON.parse(String(event.data)) as { message: string }).message))?.[1],
    );
    if (printed) latencies.push((received - printed) / 1e6);
  });
  await fetch(`${server.url}/install`, { method: 'POST' });
  const deadline = Date.now() + 60_000;
  while (latencies.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  sse.close();
  await server.close();
  console.log(
    `installer line -> SSE client: median ${fmt(median(latencies))}, p90 ${fmt(percentile(latencies, 0.9))} over ${latencies.length} lines`,
  );
}

await fastPath();
await statusLatency();
await lineToClient();
process.exit(0);
