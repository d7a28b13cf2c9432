/**
 * The benchmark's client side, in a small process of its own (never the server's):
 * `node dist/bench/test/bench/clients.js <json>` (see processes.ts). It also starts the baselines
 * (`sh -c true`, `sky check`, a bare spawn), so that both sides of a comparison are
 * started from the same kind of process. Every request carries the token. Talks to
 * its parent over IPC. Kinds:
 * - sse: N event-stream connections; for every event with an id, when each client
 *   received it (CLOCK_MONOTONIC, the clock the server and the relay stamp with),
 *   and the CPU time this process has used; reports, and starts afresh, on {report: true};
 * - load: C keep-alive connections sending GET <url> in a loop for S seconds;
 *   reports latencies and the request count;
 * - first: C new connections at once, one GET each; reports each latency;
 * - interleaved: runs N steps in turn, runs times, the order rotated each round
 *   (A B C, B C A, C A B, ...); reports the wall time of each run of each step,
 *   and the CPU time this process spent on it (user + system); with profile, then
 *   where each step's time on this thread goes (V8's profiler, by kind of code);
 * - clicks: the given requests all at once; reports when each was answered.
 * All but sse end once they have answered.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { connect } from 'node:net';

interface Target {
  url: string;
  token: string;
}
interface SseJob extends Target {
  kind: 'sse';
  clients: number;
}
interface LoadJob extends Target {
  kind: 'load';
  connections: number;
  seconds: number;
}
interface FirstJob extends Target {
  kind: 'first';
  connections: number;
}
/** A program to run (spawn: node:child_process; zx: src/process/run.ts) or a request to send. */
export type Step =
  | { run: 'spawn' | 'zx'; command: string; args: string[]; env: NodeJS.ProcessEnv }
  | { request: Click; url: string; token: string };
interface InterleavedJob {
  kind: 'interleaved';
  steps: Step[];
  runs: number;
  /** Then each step `runs` times more under the CPU profiler: where its time on this process's thread goes. */
  profile?: boolean;
}
export interface Click {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}
interface ClicksJob extends Target {
  kind: 'clicks';
  clicks: Click[];
}
type Job = SseJob | LoadJob | FirstJob | InterleavedJob | ClicksJob;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const send = (message: unknown) => process.send?.(message);
/** The one answer of a one-shot kind; then this process ends. */
const finish = (message: unknown) => process.send?.(message, () => process.exit(0));

async function sse(job: SseJob): Promise<void> {
  const target = new URL(job.url);
  /** Per event id: when each client received it (one entry per receipt). */
  const arrivals = new Map<string, number[]>();
  /** Per event id: the clients that received it, to tell duplicates from receipts. */
  const receivers = new Map<string, Set<number>>();
  let duplicated = 0;
  let open = 0;
  for (let i = 0; i < job.clients; i++) {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(
        `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n` +
          `Authorization: Bearer ${job.token}\r\n\r\n`,
      );
    });
    let buffer = '';
    let counted = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const arrived = now();
      if (!counted && chunk.includes('event: snapshot')) {
        counted = true;
        open += 1;
        if (open === job.clients) send({ ready: true });
      }
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const id = /^id: (.+)$/m.exec(frame)?.[1];
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        if (!id || !type || type === 'snapshot') continue;
        const got = receivers.get(id) ?? new Set<number>();
        receivers.set(id, got);
        if (got.has(i)) {
          duplicated += 1;
          continue;
        }
        got.add(i);
        const times = arrivals.get(id) ?? [];
        arrivals.set(id, times);
        times.push(arrived);
      }
    });
  }
  process.on('message', (message: { report?: boolean }) => {
    if (!message.report) return;
    const cpu = process.cpuUsage();
    send({ arrivals: Object.fromEntries(arrivals), duplicated, cpu: (cpu.user + cpu.system) / 1000 });
    arrivals.clear();
    receivers.clear();
    duplicated = 0;
  });
}

function get(url: string, agent: Agent, token: string): Promise<number> {
  const started = now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(now() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(job: LoadJob): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  // One warm request per connection first: this measures serving, not connecting.
  await Promise.all(Array.from({ length: job.connections }, () => get(job.url, agent, job.token)));
  const started = now();
  const until = started + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (now() < until) latencies.push(await get(job.url, agent, job.token));
    }),
  );
  const seconds = (now() - started) / 1000;
  agent.destroy();
  finish({ latencies, seconds });
}

async function first(job: FirstJob): Promise<void> {
  const agents = Array.from({ length: job.connections }, () => new Agent({ keepAlive: false }));
  const latencies = await Promise.all(agents.map((agent) => get(job.url, agent, job.token)));
  finish({ latencies });
}

/** One request as the page sends it: the token, and a JSON body on a POST. */
async function click(url: string, token: string, { method, path, body }: Click): Promise<number> {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
  });
  await answer.arrayBuffer();
  return answer.status;
}

function spawned(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Read as runProcess reads: both streams to their end.
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', resolve);
  });
}

let runProcess: typeof import('../../src/process/run.js').runProcess | null = null;

async function step(which: Step): Promise<{ wall: number; cpu: number }> {
  const started = now();
  const cpu = process.cpuUsage();
  let status: number | null;
  if ('request' in which) status = await click(which.url, which.token, which.request);
  else if (which.run === 'spawn') status = await spawned(which.command, which.args, which.env);
  else {
    // Loaded on first use (a warm-up run, not counted): the other kinds stay as small as a client is.
    runProcess ??= (await import('../../src/process/run.js')).runProcess;
    status = (await runProcess(which.command, which.args, { env: which.env }).result).exitCode;
  }
  const wall = now() - started;
  const used = process.cpuUsage(cpu);
  if (status !== 0 && !(status !== null && status >= 200 && status < 300)) {
    throw new Error(`a benchmark step failed (${status}): ${JSON.stringify(which)}`);
  }
  return { wall, cpu: (used.user + used.system) / 1000 };
}

async function interleaved(job: InterleavedJob): Promise<void> {
  const walls: number[][] = job.steps.map(() => []);
  const cpu: number[][] = job.steps.map(() => []);
  // Each once first (file cache, the server's first answer), not counted.
  for (const one of job.steps) await step(one);
  for (let round = 0; round < job.runs; round++) {
    for (let k = 0; k < job.steps.length; k++) {
      const index = (round + k) % job.steps.length;
      const { wall, cpu: used } = await step(job.steps[index] as Step);
      walls[index]?.push(wall);
      cpu[index]?.push(used);
    }
  }
  const profiles = job.profile ? await profiled(job.steps, job.runs) : undefined;
  finish({ walls, cpu, profiles });
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's time is counted: by the code the thread was running. */
function category({ functionName, url }: { functionName: string; url: string }): string | null {
  if (functionName === '(idle)') return null;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url.includes('/node_modules/zx/')) return 'zx';
  if (url.endsWith('/src/process/run.js') || url.endsWith('/src/process/quote.js')) return 'src/process';
  if (url.includes('child_process')) return 'spawn() (fork, exec)';
  if (/^node:(internal\/streams\/|net|readline|internal\/readline|stream)/.test(url))
    return 'streams, sockets, readline';
  return 'other';
}

/** Each step `runs` times under the V8 profiler (50 µs samples): ms per run on this thread, by category. */
async function profiled(steps: Step[], runs: number): Promise<Record<string, number>[]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  const byStep: Record<string, number>[] = [];
  for (const one of steps) {
    await session.post('Profiler.start');
    for (let i = 0; i < runs; i++) await step(one);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const parents = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id])));
    /** A native function (no url) counts as the JavaScript that called it. */
    const where = (id: number): string | null => {
      const frame = frames.get(id);
      if (!frame) return 'other';
      const parent = parents.get(id);
      if (frame.url === '' && !frame.functionName.startsWith('(') && parent !== undefined) return where(parent);
      return category(frame);
    };
    const totals: Record<string, number> = {};
    profile.samples.forEach((id, i) => {
      const kind = where(id);
      // A sample's delta is the time since the one before it; the next one's closes it.
      const micros = profile.timeDeltas[i + 1] ?? 0;
      if (kind) totals[kind] = (totals[kind] ?? 0) + micros / 1000 / runs;
    });
    byStep.push(totals);
  }
  session.disconnect();
  return byStep;
}

async function clicks(job: ClicksJob): Promise<void> {
  const started = now();
  const answers = await Promise.all(
    job.clicks.map(async (one) => ({ status: await click(job.url, job.token, one), at: now() - started })),
  );
  finish({ answers });
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
if (job.kind === 'sse') await sse(job);
else if (job.kind === 'load') await load(job);
else if (job.kind === 'first') await first(job);
else if (job.kind === 'interleaved') await interleaved(job);
else await clicks(job);
