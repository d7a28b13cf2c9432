/**
 * The one way this server runs a program (the installer under `sh`, `sky`, `ps`),
 * through zx: `/bin/sh -c 'exec <program> <args>'`, each argument passed through
 * zx's interpolation and single-quoted (src/process/quote.ts), so that the shell
 * parses nothing of them and then becomes the program -- one process, no bash.
 * stdin is closed (nothing may wait on a prompt), each output line is handed over
 * as it arrives, the output is kept up to a bound for the parsers, and stop()
 * signals the program itself.
 */
import { getPriority, setPriority } from 'node:os';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { $, type ProcessPromise } from 'zx/core';
import type { OutputStream } from '../api.js';
import { posixQuote } from './quote.js';

export interface ProcessResult {
  /** null when the process was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** With, when the program could not be started, the shell's reason (exit status 126 or 127). */
  stderr: string;
}

export interface RunningProcess {
  result: Promise<ProcessResult>;
  /** Ask the process to stop (SIGTERM); does nothing once it has ended. */
  stop(): void;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  /** The folder it runs in; the server's own when not given. */
  cwd?: string;
  onLine?(stream: OutputStream, line: string): void;
  /**
   * How much lower than the server's the program's CPU priority is (a nice value; its
   * children inherit it): for work in the background, which must not keep the server
   * waiting for the CPU while it has a line to read or an answer to send.
   */
  lowerPriority?: number;
}

/** Output kept per stream for the parsers: far more than `sky status` or `sky check` print. */
const KEEP_BYTES = 2 * 1024 * 1024;
const STRAGGLER_MS = 2000;

/**
 * zx keeps everything a program prints (its "store"); this store keeps the first
 * KEEP_BYTES of a stream and drops the rest, so that a chatty program cannot grow
 * the server. It has the shape zx asks of a store: an array's push, join and reduce.
 */
class BoundedChunks extends Array<string | Buffer> {
  private bytes = 0;

  override push(...chunks: (string | Buffer)[]): number {
    for (const chunk of chunks) {
      if (this.bytes >= KEEP_BYTES) break;
      this.bytes += chunk.length;
      super.push(chunk);
    }
    return this.length;
  }
}

/** No copy of both streams together: nothing here reads it. */
class NoChunks extends Array<string | Buffer> {
  override push(): number {
    return 0;
  }
}

const shell = $({
  shell: '/bin/sh',
  quote: posixQuote,
  // zx prepends `set -euo pipefail;` for bash; the program here is the whole command.
  prefix: '',
  postfix: '',
  stdio: ['ignore', 'pipe', 'pipe'],
  nothrow: true,
  quiet: true,
  verbose: false,
});

/** Where a line ends, as zx's own line iteration split stdout: at \n, a \r before it dropped. A lone \r (a progress bar redrawn) stays in its line. */
const LINE_END = /\r?\n/;

/**
 * Hands over each line of a stream in the event-loop turn its bytes arrive in, and
 * before zx's own listeners (its store, its events, its pipe into another stream): an
 * installer's line reached the bus 0.25 ms after the server read it rather than 0.30
 * (medians; p99 0.87 ms rather than 1.10; 184 lines each, a fresh server per install).
 * zx's own line iteration passes every line through an async generator and its promises:
 * more work per line on the server's one thread (1-3 µs a line here, 20,000 lines).
 * A line a consumer fails on is dropped, not the server. Resolves when the stream closes.
 */
function readLines(stream: Readable | null | undefined, onLine: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!stream) return resolve();
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const deliver = (lines: string[]) => {
      for (const line of lines) {
        try {
          onLine(line);
        } catch {
          // The parsers never throw on a line; were one to, the program's other lines still count.
        }
      }
    };
    stream.prependListener('data', (chunk: Buffer) => {
      const lines = (partial + decoder.write(chunk)).split(LINE_END);
      partial = lines.pop() ?? '';
      deliver(lines);
    });
    stream.once('end', () => {
      const last = partial + decoder.end();
      partial = '';
      if (last !== '') deliver([last]);
      resolve();
    });
    // Destroyed (see below) rather than ended: what came before is all there is.
    stream.once('close', resolve);
  });
}

function lowerPriority(pid: number, by: number): void {
  try {
    setPriority(pid, Math.min(19, getPriority() + by));
  } catch {
    // Already ended; or a system that refuses: the program runs at the server's priority.
  }
}

function delay(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
}

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): RunningProcess {
  const program: ProcessPromise = shell({
    env: options.env,
    cwd: options.cwd,
    store: { stdout: new BoundedChunks(), stderr: new BoundedChunks(), stdall: new NoChunks() },
  })`exec ${command} ${[...args]}`;
  const child = program.child;
  let ended = false;
  if (options.lowerPriority && child?.pid !== undefined) lowerPriority(child.pid, options.lowerPriority);

  const stdoutRead = readLines(child?.stdout, (line) => options.onLine?.('stdout', line));
  const stderrRead = readLines(child?.stderr, (line) => options.onLine?.('stderr', line));

  // A grandchild that kept our pipes open (a daemon that forgot to redirect them)
  // must not hold the result back: what arrived soon after the exit is all there is.
  child?.once('exit', () => {
    ended = true;
    void delay(STRAGGLER_MS).then(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
  });

  const result = (async (): Promise<ProcessResult> => {
    const output = await program;
    await Promise.all([stdoutRead, stderrRead]);
    ended = true;
    return { exitCode: output.exitCode, signal: output.signal, stdout: output.stdout, stderr: output.stderr };
  })();

  return {
    result,
    stop() {
      // The program alone, as Node's own kill does. zx's kill() would signal every
      // descendant it finds with `ps` too -- among them SkyPilot's local API server,
      // which a sky command starts and which must outlive it -- and the installer
      // stops its own children (uv, curl) and releases its lock when told to stop.
      if (!ended) child?.kill('SIGTERM');
    },
  };
}
