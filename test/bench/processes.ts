/**
 * The benchmark's processes: the measured server and the clients, each in a process
 * of its own (test/bench/server.ts, test/bench/clients.ts), talked to over IPC; and
 * programs run and timed from here. Those two, and the server code they load, are
 * compiled first (test/bench/tsconfig.json, into dist/bench) and run by plain `node`,
 * as `npm start` runs the server: without tsx's loader, its esbuild service and its
 * source-mapped stack traces, which a user's server does not carry.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServerJob } from './server.js';

const BUILT = new URL('../../dist/bench/test/bench/', import.meta.url);

/** Compiles the server and the clients (and the src/ they import) for plain node. */
export function build(): void {
  const config = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
  const tsc = spawnSync('npx', ['tsc', '-p', config], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc -p ${config} failed`);
}

export interface Forked {
  child: ChildProcess;
  /** The next message, in order. */
  next<T>(): Promise<T>;
  /** Sends a message and waits for the answer. */
  ask<T>(message: object): Promise<T>;
  /** Waits for the process to end (after asking it to, or killing it). */
  ended: Promise<void>;
}

function forked(file: string, job: object, execArgv: string[] = []): Forked {
  const child = fork(new URL(file, BUILT), [JSON.stringify(job)], { execArgv, stdio: 'inherit' });
  const queue: unknown[] = [];
  const waiting: { resolve(message: unknown): void; reject(error: Error): void }[] = [];
  child.on('message', (message) => {
    const take = waiting.shift();
    if (take) take.resolve(message);
    else queue.push(message);
  });
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      for (const take of waiting.splice(0)) take.reject(new Error(`${file} ended (${code}) before answering`));
      resolve();
    }),
  );
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      if (queue.length > 0) return resolve(queue.shift() as T);
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${file} has ended`));
      waiting.push({ resolve: resolve as (message: unknown) => void, reject });
    });
  return {
    child,
    next,
    ask: <T>(message: object) => {
      child.send(message);
      return next<T>();
    },
    ended,
  };
}

/** A process of benchmark clients (test/bench/clients.ts). */
export function startClients(job: object): Forked {
  return forked('clients.js', job);
}

export interface BenchServer extends Forked {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** The measured server in a process of its own (test/bench/server.ts), once it listens. */
export async function startBenchServer(job: ServerJob): Promise<BenchServer> {
  const process = forked('server.js', job, ['--expose-gc']);
  const { url, token } = await process.next<{ url: string; token: string }>();
  return {
    ...process,
    url,
    token,
    close: async () => {
      process.child.send({ ask: 'close' });
      await process.ended;
    },
  };
}

export interface Timed {
  wall: number;
  started: number;
  ended: number;
  lines: { at: number; line: string }[];
}

/** Wall-clock time in ms, the clock of the mirror's request log and the stand-ins' records. */
const wallClock = () => performance.timeOrigin + performance.now();

/** Runs a command from here, timing it and each stdout line it prints (wall clock). */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const started = wallClock();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: Timed['lines'] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push({ at: wallClock(), line }));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const ended = wallClock();
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${lines.at(-1)?.line}`));
      else resolve({ wall: ended - started, started, ended, lines });
    });
  });
}
