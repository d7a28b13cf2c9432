/**
 * ensureSkyPilot(): the one way every action gets a usable `sky`. With SkyPilot
 * installed (managed or on PATH) it answers from memory. Otherwise it runs the
 * installer -- once: every caller in this process awaits the same run (single
 * flight), and a run in another process is waited for by the script's own lock.
 *
 * An update, an uninstall or an added cloud changes SkyPilot under whatever runs it,
 * so they never overlap a sky command, in either order: a sky command waits until
 * they end (settled(); the sky runner waits there too), and they are refused (busy)
 * when they are about to start while a sky command runs or waits for SkyPilot -- the
 * guard, asked at start time, not when they were asked for.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorBody, InstallCancelAnswer, InstallEventData, InstallJobKind } from '../api.js';
import { CarapaceError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { SkyLocation, StatusStore } from '../status/store.js';
import { type InstallerRun, runInstaller } from './run.js';
import { SkyPilotWaiters } from './waiters.js';

export interface InstallProgress {
  id: string;
  events: InstallEventData[];
}

export interface SessionOptions {
  script: string;
  env: NodeJS.ProcessEnv;
  store: StatusStore;
  bus: EventBus;
  /** Asked when a job that changes SkyPilot under running commands is about to start; throws (busy) to refuse it. */
  guard?(job: InstallerJob, waitingForSkyPilot: readonly string[]): Promise<void>;
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

/** Jobs that change the SkyPilot in use (and stop its local API server) under whatever runs it. */
export function changesSkyPilot(job: InstallerJob): boolean {
  return job.kind === 'update' || job.kind === 'uninstall' || job.kind === 'add-cloud';
}

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
  readonly promise: Promise<SkyLocation | null>;
  settle!: { resolve(location: SkyLocation | null): void; reject(error: unknown): void };

  constructor(readonly job: InstallerJob) {
    this.promise = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A failure reaches whoever awaits; POST /install may not, and that must not crash the process.
    this.promise.catch(() => undefined);
  }
}

export class InstallSession {
  private running: ActiveInstall | null = null;
  /** Runs asked for while another ran, in order; each has its own id from the start. */
  private readonly waiting: ActiveInstall[] = [];
  private closed = false;
  /** What waits for an install to end before it runs sky (e.g. "launch of web-1"). */
  private readonly waitingForSkyPilot: SkyPilotWaiters;
  /** How many times this process has started the installer (tests and benchmarks read it). */
  runs = 0;

  constructor(private readonly options: SessionOptions) {
    this.waitingForSkyPilot = new SkyPilotWaiters(options.bus);
  }

  /**
   * purpose: what will run sky, in words, for a busy message ("launch of web-1");
   * launch: the server it launches, listed while it waits (waitingLaunches).
   */
  async ensureSkyPilot(purpose = 'a SkyPilot command', launch: string | null = null): Promise<SkyLocation> {
    await this.settled();
    const { store } = this.options;
    const found = store.skyLocation();
    if (found) return found;
    if (!this.running) {
      // Only on the way to an install: a sky put on PATH since the last look is used instead.
      await store.refresh();
      const appeared = store.skyLocation();
      if (appeared) return appeared;
    }
    const location = await this.waitingForSkyPilot.during(
      purpose,
      launch,
      () => this.start({ kind: 'install', force: false }).promise,
    );
    return location ?? (await this.ensureSkyPilot(purpose, launch));
  }

  /** The servers whose launch waits for SkyPilot to be installed (for a new client's snapshot). */
  waitingLaunches(): string[] {
    return this.waitingForSkyPilot.launches();
  }

  /** Resolves once no update, uninstall or added cloud runs or waits to run. */
  async settled(): Promise<void> {
    for (;;) {
      const changing = [this.running, ...this.waiting].filter(
        (install): install is ActiveInstall => install !== null && changesSkyPilot(install.job),
      );
      if (changing.length === 0) return;
      await Promise.allSettled(changing.map((install) => install.promise));
    }
  }

  /**
   * POST /install: nothing to run when SkyPilot is usable and no repair is asked
   * for (null); else the id of the install started, or joined.
   */
  requestInstall(force: boolean): { install_id: string } | null {
    if (!force && this.options.store.skyLocation()) return null;
    return { install_id: this.start({ kind: 'install', force }).id };
  }

  /**
   * Start an installer run, or join the one running (or waiting) that does the same;
   * a run of another kind waits for the one running to end (one run at a time), and
   * its id, returned now, is the one its events will carry.
   */
  start(job: InstallerJob): { id: string; promise: Promise<SkyLocation | null> } {
    const same = [this.running, ...this.waiting].find((install) => install && sameJob(install.job, job));
    if (same) return same;
    if (this.closed) throw shuttingDown();
    const install = new ActiveInstall(job);
    if (this.running) this.waiting.push(install);
    else this.begin(install);
    return install;
  }

  private begin(install: ActiveInstall): void {
    this.running = install;
    this.install(install).then(
      (location) => {
        this.next();
        install.settle.resolve(location);
      },
      (error: unknown) => {
        this.next();
        install.settle.reject(error);
      },
    );
  }

  /** The run that waited longest starts (or, on shutdown, is told no). */
  private next(): void {
    this.running = null;
    const following = this.waiting.shift();
    if (!following) return;
    if (this.closed) {
      following.settle.reject(shuttingDown());
      this.next();
    } else {
      this.begin(following);
    }
  }

  /** The install in progress, with its events so far (for a new client's snapshot). */
  progress(): InstallProgress | null {
    return this.running ? { id: this.running.id, events: [...this.running.events] } : null;
  }

  /**
   * POST /install/cancel: stop the run under way, as on shutdown (the script stops uv,
   * keeps nothing half-installed, releases its lock and exits with code `interrupted`),
   * and the runs waiting behind it, which were asked for by the same people.
   */
  cancel(): InstallCancelAnswer {
    const running = this.running;
    for (const waiting of this.waiting.splice(0)) waiting.settle.reject(cancelled());
    if (!running) return { install_id: null, message: 'No installation was running.' };
    running.run?.stop();
    return { install_id: running.id, message: 'The installation is being stopped; nothing half-installed is kept.' };
  }

  /** Stop a running install (on shutdown): the script releases its lock. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    running?.run?.stop();
    await running?.promise.catch(() => undefined);
  }

  private async install(running: ActiveInstall): Promise<SkyLocation | null> {
    const { store, bus, script, env, guard } = this.options;
    if (guard && changesSkyPilot(running.job)) {
      // Called first, with nothing awaited before it: what waits for the install that
      // just ended is still counted (the waiters are told after this starts).
      await guard(running.job, this.waitingForSkyPilot.purposes()).catch(async (error: unknown) => {
        if (error instanceof CarapaceError) {
          const refused: InstallEventData = {
            install_id: running.id,
            ...jobOf(running.job),
            phase: 'error',
            percent: null,
            bytes: null,
            total: null,
            code: null,
            message: error.message,
            hint: error.hint,
            log: null,
          };
          running.events.push(refused);
          bus.publish('install', refused);
          await store.endInstall(error.toBody());
        }
        throw error;
      });
    }
    this.runs += 1;
    store.beginInstall(running.id);
    const run = runInstaller({
      script,
      flags: flagsOf(running.job),
      env,
      onEvent: (event) => {
        const data: InstallEventData = { install_id: running.id, ...jobOf(running.job), ...event };
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

/** How the events of a run name its job. */
function jobOf(job: InstallerJob): { job: InstallJobKind; cloud: string | null } {
  if (job.kind === 'install') return { job: job.force ? 'repair' : 'install', cloud: null };
  return { job: job.kind, cloud: job.kind === 'add-cloud' ? job.cloud : null };
}

function sameJob(a: InstallerJob, b: InstallerJob): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || (a.kind === 'install' && b.kind === 'install' && !b.force);
}

function shuttingDown(): CarapaceError {
  return new CarapaceError('shutting-down', 'The server is shutting down.', 'Start it again.', 503);
}

function cancelled(): CarapaceError {
  return new CarapaceError(
    'interrupted',
    'The installation was cancelled before it started.',
    'Install again when you are ready.',
    503,
  );
}

function failure(body: ErrorBody): CarapaceError {
  return new CarapaceError(body.code, body.message, body.hint, 503);
}
