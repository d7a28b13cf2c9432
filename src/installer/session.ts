/**
 * ensureSkyPilot(): the one way every action gets a usable `sky`. With SkyPilot
 * installed (managed or on PATH) it answers from memory. Otherwise it runs the
 * installer -- once: every caller in this process awaits the same run (single
 * flight), and a run in another process is waited for by the script's own lock.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorBody, InstallEventData } from '../api.js';
import { CarapaceError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { SkyLocation, StatusStore } from '../status/store.js';
import { type InstallerRun, runInstaller } from './run.js';

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

/** What an installer run is asked to do. */
export type InstallerJob =
  /** Make SkyPilot usable; with force, reinstall it even when it is (a repair). */
  | { kind: 'install'; force: boolean }
  /** Add a cloud's libraries (skypilot[<cloud>]) to the install. */
  | { kind: 'add-cloud'; cloud: string }
  /** The newest SkyPilot, switched to only once it runs. */
  | { kind: 'update' }
  | { kind: 'uninstall' };

/** The script's options for a job. */
function flagsOf(job: InstallerJob): string[] {
  switch (job.kind) {
    case 'install':
      return job.force ? ['--force'] : [];
    case 'add-cloud':
      return ['--add-cloud', job.cloud];
    case 'update':
      return ['--update'];
    case 'uninstall':
      return ['--uninstall'];
  }
}

class ActiveInstall {
  readonly id = randomUUID();
  readonly events: InstallEventData[] = [];
  run: InstallerRun | null = null;
  promise!: Promise<SkyLocation | null>;

  constructor(readonly job: InstallerJob) {}
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
    const location = await this.start({ kind: 'install', force: false }).promise;
    return location ?? (await this.ensureSkyPilot());
  }

  /**
   * Start an installer run, or join the one running when it does the same; a run
   * of another kind starts once the one running has ended (one run at a time).
   */
  start(job: InstallerJob): { id: string; promise: Promise<SkyLocation | null> } {
    const running = this.running;
    if (running && sameJob(running.job, job)) return running;
    if (this.closed) throw new CarapaceError('shutting-down', 'The server is shutting down.', 'Start it again.', 503);
    if (running) {
      const next = running.promise.catch(() => null).then(() => this.start(job).promise);
      return { id: running.id, promise: next };
    }
    return this.begin(job);
  }

  private begin(job: InstallerJob): { id: string; promise: Promise<SkyLocation | null> } {
    const running = new ActiveInstall(job);
    running.promise = this.install(running).finally(() => {
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

  private async install(running: ActiveInstall): Promise<SkyLocation | null> {
    const { store, bus, script, env } = this.options;
    this.runs += 1;
    store.beginInstall(running.id);
    const run = runInstaller({
      script,
      flags: flagsOf(running.job),
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
      if (location || running.job.kind === 'uninstall') return location;
      const error = failure({
        code: 'internal',
        message: 'The installer finished but no usable sky was found.',
        hint: 'Run "sh scripts/install-skypilot.sh --status" in a terminal to see why, then retry.',
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

function sameJob(a: InstallerJob, b: InstallerJob): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || (a.kind === 'install' && b.kind === 'install' && !b.force);
}

function failure(body: ErrorBody): CarapaceError {
  return new CarapaceError(body.code, body.message, body.hint, 503);
}
