/**
 * Runs `sky` for the app, in CARAPACE_HOME: sky reads a project config (.sky.yaml) from
 * the folder it runs in (sky/skypilot_config.py), and where Carapace happened to be
 * started must not change what sky does. Each run is an argument list (no shell). Identical
 * read-only runs in flight share one process (50 simultaneous GET /servers start
 * one `sky status`), and at most `limit` runs go at once; the rest queue.
 * Followers of long requests (`sky api logs`) do not take a place in the queue.
 *
 * Before a process starts it passes the gate: it waits while an update, uninstall or
 * added cloud changes SkyPilot under it, and lets the local API server be restarted
 * when it runs with outdated settings (src/sky/local-api-server.ts). Runs made by the
 * gate itself (`sky api status`, `sky api stop`) skip it.
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
  /** A run the gate itself makes: it neither waits at the gate nor queues. */
  ungated?: boolean;
}

export interface SkyRunnerOptions {
  /** The environment of a run of this sky, asked anew every time (settings change without a restart). */
  env(sky: string): NodeJS.ProcessEnv;
  /** The folder every sky runs in (CARAPACE_HOME). */
  cwd: string;
  /** Awaited before each gated process starts. */
  gate?(sky: string): Promise<void>;
  limit?: number;
}

const STOPPED: ProcessResult = { exitCode: null, signal: 'SIGTERM', stdout: '', stderr: '' };

export class SkyRunner {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly shared = new Map<string, Promise<ProcessResult>>();
  /** How many sky processes have been started (tests read it). */
  started = 0;
  /** The sky runs past the gate and not ended: queued or running. */
  active = 0;
  private readonly idlers: (() => void)[] = [];
  /** Every run not ended, with its stop: on shutdown none may outlive the server. */
  private readonly inFlight = new Map<Promise<ProcessResult>, () => void>();
  private closed = false;

  constructor(private readonly options: SkyRunnerOptions) {}

  run(sky: string, args: string[], options: SkyRunOptions = {}): SkyRun {
    const key = options.readOnly && !options.onLine ? [sky, ...args].join('\0') : null;
    const existing = key ? this.shared.get(key) : undefined;
    if (existing) return { result: existing, stop: () => undefined };
    let stopped = false;
    let stopProcess = () => {
      stopped = true;
    };
    const queued = !options.unqueued && !options.ungated;
    const result = (async () => {
      if (!options.ungated) await this.options.gate?.(sky);
      this.active += 1;
      if (queued) await this.place();
      try {
        if (stopped || this.closed) return STOPPED;
        this.started += 1;
        const child = runProcess(sky, args, {
          env: this.options.env(sky),
          cwd: this.options.cwd,
          onLine: options.onLine,
        });
        stopProcess = () => child.stop();
        return await child.result;
      } finally {
        this.active -= 1;
        if (queued) this.release();
        if (this.active === 0) for (const idle of this.idlers.splice(0)) idle();
      }
    })();
    if (key) {
      this.shared.set(key, result);
      void result.finally(() => this.shared.delete(key));
    }
    const stop = () => stopProcess();
    this.inFlight.set(result, stop);
    void result.finally(() => this.inFlight.delete(result));
    return { result, stop };
  }

  /**
   * On shutdown: no new run starts, and every run is stopped and waited for -- a GET
   * /servers' `sky status` too, which no operation follows. (SkyPilot's own requests
   * go on in its API server.)
   */
  async close(): Promise<void> {
    this.closed = true;
    const runs = [...this.inFlight];
    for (const [, stop] of runs) stop();
    // A run still waiting at the gate or for a place ends once it gets there; not worth more than a few seconds.
    const ended = Promise.all(runs.map(([result]) => result.catch(() => undefined)));
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }

  /** Resolves when no run is past the gate (at once when none is). */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idlers.push(resolve));
  }

  private place(): Promise<void> {
    const limit = this.options.limit ?? 4;
    if (this.running < limit) {
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
