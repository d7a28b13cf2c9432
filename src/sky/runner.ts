/**
 * Runs `sky` for the app. Each run is an argument list (no shell). Identical
 * read-only runs in flight share one process (50 simultaneous GET /servers start
 * one `sky status`), and at most `limit` runs go at once; the rest queue.
 * Followers of long requests (`sky api logs`) do not take a place in the queue.
 */
import type { OutputStream } from '../api.js';
import { type ProcessResult, runProcess } from '../process/run.js';

export interface SkyRun {
  result: Promise<ProcessResult>;
  stop(): void;
}

export interface SkyRunOptions {
  onLine?(stream: OutputStream, line: string): void;
  /** Safe to share with an identical run in flight (no side effects, no line listener). */
  readOnly?: boolean;
  /** Runs without waiting for a place (it may last as long as a launch does). */
  unqueued?: boolean;
}

const STOPPED: ProcessResult = { exitCode: null, signal: 'SIGTERM', stdout: '', stderr: '' };

export class SkyRunner {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly shared = new Map<string, Promise<ProcessResult>>();
  /** How many sky processes have been started (tests read it). */
  started = 0;

  constructor(
    /** The environment of each run, asked anew every time (settings change without a restart). */
    private readonly env: () => NodeJS.ProcessEnv,
    private readonly limit = 4,
  ) {}

  run(sky: string, args: string[], options: SkyRunOptions = {}): SkyRun {
    const key = options.readOnly && !options.onLine ? [sky, ...args].join('\0') : null;
    const existing = key ? this.shared.get(key) : undefined;
    if (existing) return { result: existing, stop: () => undefined };
    let stopped = false;
    let stopProcess = () => {
      stopped = true;
    };
    const result = (async () => {
      if (!options.unqueued) await this.place();
      try {
        if (stopped) return STOPPED;
        this.started += 1;
        const child = runProcess(sky, args, { env: this.env(), onLine: options.onLine });
        stopProcess = () => child.stop();
        return await child.result;
      } finally {
        if (!options.unqueued) this.release();
      }
    })();
    if (key) {
      this.shared.set(key, result);
      void result.finally(() => this.shared.delete(key));
    }
    return { result, stop: () => stopProcess() };
  }

  private place(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
