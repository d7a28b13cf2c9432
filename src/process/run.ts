/**
 * The one way this server runs a program (the installer, and `sky`): zx, with each
 * argument passed through its quoting (never a string built here), `exec` so that
 * the process we signal is the program itself, stdin closed (nothing may wait on a
 * prompt), each output line handed over as it arrives, the output kept (up to a
 * bound) for the parsers, and a stop that signals the program alone.
 */
import { createInterface } from 'node:readline';
import { $ } from 'zx';
import type { OutputStream } from '../api.js';

export interface ProcessResult {
  /** null when the process was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningProcess {
  result: Promise<ProcessResult>;
  /** Ask the process to stop (SIGTERM); does nothing once it has ended. */
  stop(): void;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  onLine?(stream: OutputStream, line: string): void;
}

/** Output kept per stream for the parsers: far more than `sky status` or `sky check` print. */
const KEEP_BYTES = 2 * 1024 * 1024;
const STRAGGLER_MS = 2000;

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): RunningProcess {
  const running = $({
    env: options.env,
    nothrow: true,
    quiet: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })`exec ${command} ${args}`;
  const child = running.child;
  const stdout = child?.stdout;
  const stderr = child?.stderr;
  if (!child || !stdout || !stderr) throw new Error(`zx did not start ${command} with pipes`);
  const pipes = { stdout, stderr };
  let ended = false;
  const kept: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const keptBytes: Record<OutputStream, number> = { stdout: 0, stderr: 0 };

  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = createInterface({ input: pipes[stream], crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (keptBytes[stream] < KEEP_BYTES) {
        kept[stream].push(line);
        keptBytes[stream] += line.length + 1;
      }
      options.onLine?.(stream, line);
    });
  }
  // zx settles when the pipes close. A grandchild that kept them open (a daemon that
  // forgot to redirect them) must not hold the result back: what arrived soon after
  // the exit is all there is.
  child.once('exit', () => {
    ended = true;
    setTimeout(() => {
      stdout.destroy();
      stderr.destroy();
    }, STRAGGLER_MS).unref();
  });

  const result = running.then((output): ProcessResult => {
    ended = true;
    const text = (stream: OutputStream) => (kept[stream].length ? `${kept[stream].join('\n')}\n` : '');
    return {
      exitCode: output.exitCode,
      signal: output.signal,
      stdout: text('stdout'),
      stderr: text('stderr'),
    };
  });

  return {
    result,
    stop() {
      if (!ended) child.kill('SIGTERM');
    },
  };
}
