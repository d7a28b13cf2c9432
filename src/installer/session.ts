/**
 * ensureSkyPilot(): the one way every action gets a usable `sky`. With SkyPilot
 * installed (managed or on PATH) it answers from memory. Otherwise it runs the
 * installer -- once: every caller in this process awaits the same run (single
 * flight), and a run in another process is waited for by the script's own lock.
 */
import { randomUUID } from 'node:crypto';
import { CarapaceError, type ErrorBody } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { SkyLocation, StatusStore } from '../status/store.js';
import type { InstallEvent } from './lines.js';
import { type InstallerRun, runInstaller } from './run.js';

export interface InstallEventData extends InstallEvent {
  install_id: string;
}

export interface InstallProgress {
  id: string;
  events: InstallEventData[];
}

export interface SessionOptions {
  script: string;
  env: NodeJS.ProcessEnv;
  store: StatusStore;
  bus: EventBus;
}

class ActiveInstall {
  readonly id = randomUUID();
  readonly events: InstallEventData[] = [];
  run: InstallerRun | null = null;
  promise!: Promise<SkyLocation>;
}

export class InstallSession {
  private running: ActiveInstall | null = null;
  private closed = false;
  /** How many times this process has started the installer (tests and benchmarks read it). */
  runs = 0;

  constructor(private readonly options: SessionOptions) {}

  async ensureSkyPilot(): Promise<SkyLocation> {
    const { store } = this.options;
    const found = store.skyLocation();
    if (found) return found;
    if (!this.running) {
      // Only on the way to an install: a sky put on PATH since the last look is used instead.
      await store.refresh();
      const appeared = store.skyLocation();
      if (appeared) return appeared;
    }
    return this.start([]).promise;
  }

  /** Start an install, or join the one running; `force` repairs an existing install. */
  start(args: string[]): { id: string; promise: Promise<SkyLocation> } {
    if (this.running) return this.running;
    if (this.closed) throw new CarapaceError('shutting-down', 'The server is shutting down.', 'Start it again.', 503);
    const running = new ActiveInstall();
    running.promise = this.install(running, args).finally(() => {
      this.running = null;
    });
    // A failure reaches whoever awaits; POST /install may not, and that must not crash the process.
    running.promise.catch(() => undefined);
    this.running = running;
    return running;
  }

  /** The install in progress, with its events so far (for a new client's snapshot). */
  progress(): InstallProgress | null {
    return this.running ? { id: this.running.id, events: [...this.running.events] } : null;
  }

  /** Stop a running install (on shutdown): the script releases its lock. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    running?.run?.stop();
    await running?.promise.catch(() => undefined);
  }

  private async install(running: ActiveInstall, args: string[]): Promise<SkyLocation> {
    const { store, bus, script, env } = this.options;
    this.runs += 1;
    store.beginInstall(running.id);
    const run = runInstaller({
      script,
      args,
      env,
      onEvent: (event) => {
        const data: InstallEventData = { install_id: running.id, ...event };
        running.events.push(data);
        bus.publish('install', data);
      },
    });
    running.run = run;
    const outcome = await run.outcome;
    if (outcome.exitCode === 0) {
      await store.endInstall(null);
      const location = store.skyLocation();
      if (location) return location;
      const error = failure({
        code: 'internal',
        message: 'The installer finished but no usable sky was found.',
        hint: `Run "sh scripts/install-skypilot.sh --status" in a terminal to see why, then retry.`,
      });
      await store.endInstall(error.toBody());
      throw error;
    }
    const error = failure(
      outcome.error?.code
        ? {
            code: outcome.error.code,
            message: outcome.error.message,
            hint: outcome.error.hint ?? 'Retry the installation.',
          }
        : {
            code: 'internal',
            message:
              `The installer stopped unexpectedly (exit ${outcome.exitCode ?? 'by signal'}). ${outcome.stderrTail.join(' ')}`.trim(),
            hint: 'Retry; if it fails again, run "sh scripts/install-skypilot.sh" in a terminal and report what it prints.',
          },
    );
    await store.endInstall(error.toBody());
    throw error;
  }
}

function failure(body: ErrorBody): CarapaceError {
  return new CarapaceError(body.code, body.message, body.hint, 503);
}
