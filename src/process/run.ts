/**
 * The one way this server runs a program (the installer under `sh`, `sky`, `ps`):
 * an argument list with no shell in between -- nothing is quoted or parsed, and
 * no bash starts before each sky (1.3 ms each, measured in bench/results.md) --
 * stdin closed (nothing may wait on a prompt), each output line handed over as it
 * arrives, the output kept (up to a bound) for the parsers, and a stop that
 * signals the program itself.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { OutputStream } from '../api.js';

export interface ProcessResult {
  /** null when the process was ended by a signal, or could not be started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** With, when the program could not be started, why (e.g. ENOENT) on its last line. */
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

function delay(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
}

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): RunningProcess {
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let ended = false;
  let startError: string | null = null;
  const kept: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const keptBytes: Record<OutputStream, number> = { stdout: 0, stderr: 0 };

  const streamsClosed = (['stdout', 'stderr'] as const).map(
    (stream) =>
      new Promise<void>((resolve) => {
        const lines = createInterface({ input: child[stream], crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', (line) => {
          if (keptBytes[stream] < KEEP_BYTES) {
            kept[stream].push(line);
            keptBytes[stream] += line.length + 1;
          }
          options.onLine?.(stream, line);
        });
        lines.on('close', resolve);
      }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      startError = `${command}: ${error.message}`;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const result = (async (): Promise<ProcessResult> => {
    const { code, signal } = await exited;
    ended = true;
    if (!startError) {
      // A grandchild that kept our pipes open (a daemon that forgot to redirect them)
      // must not hold the result back: what arrived soon after the exit is all there is.
      const closed = await Promise.race([Promise.all(streamsClosed).then(() => true), delay(STRAGGLER_MS)]);
      if (!closed) {
        child.stdout.destroy();
        child.stderr.destroy();
      }
    }
    if (startError) kept.stderr.push(startError);
    const text = (stream: OutputStream) => (kept[stream].length ? `${kept[stream].join('\n')}\n` : '');
    return { exitCode: code, signal, stdout: text('stdout'), stderr: text('stderr') };
  })();

  return {
    result,
    stop() {
      if (!ended) child.kill('SIGTERM');
    },
  };
}
