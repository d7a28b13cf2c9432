/**
 * The installation status, kept in memory so that GET /status never spawns a
 * process: the marker, the install lock and a PATH lookup are read at start and
 * again whenever chokidar reports a change in CARAPACE_HOME (an install from a
 * terminal included). Every change is handed to `onChange` (a `status` event).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { type FSWatcher, watch } from 'chokidar';
import lockfile from 'proper-lockfile';
import { $ } from 'zx';
import type { ErrorBody } from '../errors.js';
import { type Layout, LOCK_STALE_MS } from '../layout.js';
import { findOnPath, isExecutable, type Marker, readMarker } from './marker.js';

export type InstallState = 'not_installed' | 'installing' | 'installed' | 'error';
export type SkySource = 'managed' | 'path';

export interface InstallStatus {
  state: InstallState;
  source: SkySource | null;
  uv_version: string | null;
  sky_version: string | null;
  sky_path: string | null;
  carapace_home: string;
  installing_since: string | null;
  /** The install running now in this server, if any. */
  install_id: string | null;
  last_error: ErrorBody | null;
}

export interface SkyLocation {
  path: string;
  source: SkySource;
}

/** While a lock is held elsewhere, look again this often to notice it going stale. */
const LOCK_POLL_MS = 2000;

export class StatusStore {
  private marker: Marker | null = null;
  private pathSky: string | null = null;
  private pathSkyVersion: string | null = null;
  private foreignSince: string | null = null;
  private own: { id: string; since: string } | null = null;
  private lastError: ErrorBody | null = null;
  private current: InstallStatus;
  private watcher: FSWatcher | null = null;
  private lockPoll: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(
    private readonly layout: Layout,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onChange: (status: InstallStatus) => void,
  ) {
    this.current = this.compute();
  }

  async start(): Promise<void> {
    mkdirSync(this.layout.home, { recursive: true });
    await this.refresh();
    this.watcher = watch(this.layout.home, { depth: 0, ignoreInitial: true });
    this.watcher.on('all', () => void this.refresh());
    await new Promise<void>((ready) => this.watcher?.once('ready', ready));
  }

  async close(): Promise<void> {
    if (this.lockPoll) clearInterval(this.lockPoll);
    await this.watcher?.close();
  }

  status(): InstallStatus {
    return this.current;
  }

  /** Where a usable `sky` is, from memory; null when SkyPilot must be installed. */
  skyLocation(): SkyLocation | null {
    if (this.marker && isExecutable(this.layout.skyBin)) return { path: this.layout.skyBin, source: 'managed' };
    if (this.pathSky) return { path: this.pathSky, source: 'path' };
    return null;
  }

  beginInstall(id: string): void {
    this.own = { id, since: new Date().toISOString() };
    this.lastError = null;
    this.update();
  }

  async endInstall(error: ErrorBody | null): Promise<void> {
    this.own = null;
    this.lastError = error;
    await this.refresh();
  }

  /** Re-read the marker, the lock and PATH; concurrent calls share one pass, plus one more if asked meanwhile. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.readDisk();
        this.update();
      } while (this.refreshAgain);
      this.refreshing = null;
    })();
    return this.refreshing;
  }

  private async readDisk(): Promise<void> {
    this.marker = readMarker(this.layout.marker);
    const onPath = findOnPath('sky', this.env.PATH, this.layout.home);
    if (onPath !== this.pathSky) {
      this.pathSky = onPath;
      this.pathSkyVersion = null;
      if (onPath) void this.readPathSkyVersion(onPath);
    }
    const locked = await lockfile
      .check(this.layout.lockTarget, { lockfilePath: this.layout.lock, stale: LOCK_STALE_MS, realpath: false })
      .catch(() => false);
    this.foreignSince = locked ? (this.foreignSince ?? this.lockStartedAt()) : null;
    if (locked && !this.lockPoll) {
      this.lockPoll = setInterval(() => void this.refresh(), LOCK_POLL_MS);
    } else if (!locked && this.lockPoll) {
      clearInterval(this.lockPoll);
      this.lockPoll = null;
    }
  }

  private lockStartedAt(): string {
    try {
      const owner = JSON.parse(readFileSync(this.layout.lockOwner, 'utf8')) as { started_at?: unknown };
      if (typeof owner.started_at === 'string') return owner.started_at;
    } catch {
      // no owner file yet: the lock was made a moment ago
    }
    return new Date().toISOString();
  }

  /** Once per sky found on PATH, in the background: the status shows its version when known. */
  private async readPathSkyVersion(path: string): Promise<void> {
    const result = await $({ nothrow: true, quiet: true, env: this.env, timeout: '30s' })`${path} --version`;
    const version = /version (\S+)/.exec(result.stdout)?.[1] ?? null;
    if (this.pathSky === path) {
      this.pathSkyVersion = version;
      this.update();
    }
  }

  private compute(): InstallStatus {
    const location = this.skyLocation();
    const managed = location?.source === 'managed';
    let state: InstallState = 'not_installed';
    if (this.own || this.foreignSince) state = 'installing';
    else if (location) state = 'installed';
    else if (this.lastError) state = 'error';
    return {
      state,
      source: location?.source ?? null,
      uv_version: managed ? (this.marker?.uv_version ?? null) : null,
      sky_version: managed ? (this.marker?.sky_version ?? null) : location ? this.pathSkyVersion : null,
      sky_path: location?.path ?? null,
      carapace_home: this.layout.home,
      installing_since: this.own?.since ?? this.foreignSince,
      install_id: this.own?.id ?? null,
      last_error: this.lastError,
    };
  }

  private update(): void {
    const next = this.compute();
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.onChange(next);
  }
}
