/**
 * The measured side of the benchmark, in a process of its own, as a user runs it:
 * `node dist/bench/test/bench/server.js <json>` (see processes.ts). Kinds:
 * - carapace: a Carapace server with the token on; notes when each event reached
 *   its bus (CLOCK_MONOTONIC, as every benchmark process stamps) and the main thread's
 *   scheduler counters then, and when each line of the installer came off its pipe into
 *   the process, and answers the parent's questions over IPC (with the
 *   events, the CPU time it has used);
 * - bare: a bare node:http server answering every request with the same body.
 * Sends {url, token} once listening; then answers {ask: 'bus' | 'memory' | 'spawn' | 'runs' | 'close'}
 * (the bare one: 'spawn' and 'close').
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { startServer } from '../../src/server.js';

interface CarapaceJob {
  kind: 'carapace';
  home: string;
  env: NodeJS.ProcessEnv;
  /** The installer, named always: run compiled from dist/bench, the server would look for it beside itself. */
  script: string;
}
interface BareJob {
  kind: 'bare';
  /** Base64. */
  body: string;
}
export type ServerJob = CarapaceJob | BareJob;

export interface BusStamp {
  id: string;
  type: string;
  /** When bus.publish ran (ms, CLOCK_MONOTONIC). */
  at: number;
  /** Then, the main thread's time so far on a CPU and waiting for one (ns; NaN without /proc). */
  ran: number;
  waited: number;
  /** The event's data, for install events (the rest are only counted). */
  data: Record<string, unknown> | null;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * The main thread's scheduler counters (Linux: /proc/self/schedstat, read again at
 * each call, ~10 µs): its time on a CPU, and runnable but waiting for one.
 */
function schedulerCounters(): { ran: number; waited: number } {
  try {
    const [ran = '', waited = ''] = readFileSync('/proc/self/schedstat', 'utf8').split(' ');
    return { ran: Number(ran), waited: Number(waited) };
  } catch {
    return { ran: Number.NaN, waited: Number.NaN };
  }
}
const send = (message: unknown) => process.send?.(message);

/** A line of the grammar a child's output pipe brought into this process, and when. */
export interface PipeRead {
  at: number;
  line: string;
}

/**
 * Stamps what comes off a child's pipe: when Node pushes the bytes of a read into the
 * pipe's stream, before any of the server's code sees them (zx's, its line splitting, its
 * parser). The bench's work there is the stamp and keeping the bytes: cut into lines
 * only when asked (`lines`), after the runs.
 */
function stampPipeReads(): { lines(): PipeRead[] } {
  const reads: { at: number; stream: Readable; chunk: Buffer }[] = [];
  const isPipe = (stream: Readable) =>
    stream instanceof Socket &&
    (stream as unknown as { _handle?: { constructor?: { name?: string } } })._handle?.constructor?.name === 'Pipe';
  const push = Readable.prototype.push;
  Readable.prototype.push = function stampedPush(this: Readable, chunk: unknown, encoding?: BufferEncoding) {
    if (Buffer.isBuffer(chunk) && isPipe(this)) reads.push({ at: now(), stream: this, chunk });
    return push.call(this, chunk, encoding);
  };
  return {
    /** The lines of the grammar read so far (a line split over two reads is stamped at the second), forgotten once given. */
    lines() {
      const partial = new Map<Readable, string>();
      const lines: PipeRead[] = [];
      for (const { at, stream, chunk } of reads.splice(0)) {
        const parts = ((partial.get(stream) ?? '') + chunk.toString()).split('\n');
        partial.set(stream, parts.pop() ?? '');
        for (const line of parts) if (line.startsWith('[carapace] ')) lines.push({ at, line });
      }
      return lines;
    },
  };
}

/** Memory once garbage is collected (run with --expose-gc). */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return process.memoryUsage();
}

/**
 * How long the event loop is held by starting one program (the synchronous part of
 * spawn: libuv forks this process, and waits for the exec), at this process's size.
 */
async function spawnCalls(): Promise<{ calls: number[]; rss: number }> {
  const calls: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = now();
    const child = spawn('true', [], { stdio: 'ignore' });
    calls.push(now() - started);
    await new Promise((resolve) => child.once('close', resolve));
  }
  return { calls, rss: process.memoryUsage().rss };
}

async function carapace(job: CarapaceJob): Promise<void> {
  const pipeReads = stampPipeReads();
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    home: job.home,
    allowedHosts: [],
    auth: true,
    token: null,
    env: job.env,
    script: job.script,
  });
  const stamps: { id: string; type: string; at: number; ran: number; waited: number; frame: string }[] = [];
  // Subscribed after the event stream: the stream's listener only queues the frame.
  server.bus.subscribe((event) => {
    const at = now();
    stamps.push({ id: event.id, type: event.type, at, ...schedulerCounters(), frame: event.frame });
  });
  process.on('message', async (message: { ask: string }) => {
    if (message.ask === 'bus') {
      const taken = stamps.splice(0);
      const cpu = process.cpuUsage();
      send({
        cpu: (cpu.user + cpu.system) / 1000,
        reads: pipeReads.lines(),
        bus: taken.map(
          ({ id, type, at, ran, waited, frame }): BusStamp => ({
            id,
            type,
            at,
            ran,
            waited,
            data:
              type === 'install' ? (JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? '{}') as BusStamp['data']) : null,
          }),
        ),
      });
    } else if (message.ask === 'memory') {
      send({ memory: await settledMemory() });
    } else if (message.ask === 'spawn') {
      send(await spawnCalls());
    } else if (message.ask === 'runs') {
      send({ runs: server.session.runs });
    } else if (message.ask === 'close') {
      await server.close();
      process.exit(0);
    }
  });
  send({ url: server.url, token: server.token });
}

async function bare(job: BareJob): Promise<void> {
  const body = Buffer.from(job.body, 'base64');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', async (message: { ask: string }) => {
    if (message.ask === 'spawn') send(await spawnCalls());
    if (message.ask === 'close') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  send({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: '' });
}

const job = JSON.parse(process.argv[2] ?? '{}') as ServerJob;
if (job.kind === 'carapace') await carapace(job);
else await bare(job);
