/**
 * The installation status, kept in memory so that GET /status never touches the
 * disk or starts a process: the marker, the install lock and a PATH lookup are
 * read at start and again whenever chokidar reports a change in CARAPACE_HOME (an
 * install from a terminal included: src/status/watcher.ts). Every change is handed
 * to `onChange` (a `status` event). The status is also kept serialized, for GET
 * /status to send.
 *
 * While this server's own install runs, the store reads nothing of its own accord: no
 * watching, no polling (a sky command run meanwhile still has the API server looked for
 * again). That install's end reads everything again (endInstall), and reading
 * meanwhile -- chokidar's pass over the folder at each change the install makes, the
 * lock and API server polls -- held the event loop for milliseconds while the
 * installer's lines waited to be read.
 */
import { existsSync } from 'node:fs';
import type { ErrorBody, InstallState, InstallStatus, SkySource } from '../api.js';
import { type Layout, type Marker, skypilotIsSupported } from '../contract.js';
import { runProcess } from '../process/run.js';
import { jsonWithoutCredentials, redactUrl } from '../redact.js';
import { type ApiServerEndpoint, localApiServerPids, startEnvironment } from './api-server.js';
import { lockHolder } from './lock.js';
import { markerExtras, readMarker } from './marker.js';
import { findOnPath, isExecutable } from './path.js';
import { HomeWatcher } from './watcher.js';

export interface SkyLocation {
  path: string;
  source: SkySource;
}

export interface StatusStoreOptions {
  /** The SkyPilot API server every sky run uses (src/status/api-server.ts, resolveApiServer). */
  apiServer(): ApiServerEndpoint;
  /** The environment a sky at this path runs with now (src/sky/environment.ts). */
  skyEnvironment(sky: string | null): NodeJS.ProcessEnv;
  /** The variables the local API server keeps from its start and must have as sky would get them now. */
  serverVariables: readonly string[];
}

/** While a lock is held elsewhere, look again this often to notice it going stale. */
const LOCK_POLL_MS = 2000;
/** A marker that exists but does not parse is being written: look again after this. */
const SETTLE_MS = 250;
/** How often to look for a local API server that was started or stopped outside this app. */
const API_SERVER_POLL_MS = 30_000;

export class StatusStore {
  private marker: Marker | null = null;
  private pathSky: string | null = null;
  /** The version of the sky on PATH (null when it would not say). */
  private pathSkyVersion: string | null = null;
  private foreignSince: string | null = null;
  private own: { id: string; since: string } | null = null;
  private lastError: ErrorBody | null = null;
  private apiServerPids: number[] = [];
  /** The environment the local API server runs with, when it can be read (Linux). */
  private apiServerEnv: NodeJS.ProcessEnv | null = null;
  private current: InstallStatus;
  private serialized: Buffer;
  private readonly watcher: HomeWatcher;
  private lockPoll: NodeJS.Timeout | null = null;
  private settle: NodeJS.Timeout | null = null;
  private apiServerPoll: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private closed = false;

  constructor(
    private readonly layout: Layout,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onChange: (status: InstallStatus) => void,
    private readonly options: StatusStoreOptions,
  ) {
    this.watcher = new HomeWatcher(layout, () => void this.refresh());
    this.current = this.compute();
    this.serialized = Buffer.from(jsonWithoutCredentials(this.current));
  }

  async start(): Promise<void> {
    await this.refresh();
    await this.refreshApiServer();
    await this.watcher.resume();
    this.apiServerPoll = setInterval(() => {
      if (!this.own) void this.refreshApiServer();
    }, API_SERVER_POLL_MS);
    this.apiServerPoll.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of [this.lockPoll, this.settle, this.apiServerPoll]) if (timer) clearTimeout(timer);
    await this.watcher.close();
  }

  status(): InstallStatus {
    return this.current;
  }

  /** The status as JSON, built once per change. */
  statusJson(): Buffer {
    return this.serialized;
  }

  /**
   * Where a usable `sky` is, from memory; null when SkyPilot must be installed.
   * A sky on PATH counts only once it has said its version, and only when that
   * version is one Carapace supports (as the installer decides).
   */
  skyLocation(): SkyLocation | null {
    if (this.marker && isExecutable(this.layout.skyBin)) return { path: this.layout.skyBin, source: 'managed' };
    if (this.pathSky && this.pathSkyVersion && skypilotIsSupported(this.pathSkyVersion)) {
      return { path: this.pathSky, source: 'path' };
    }
    return null;
  }

  beginInstall(id: string): void {
    this.own = { id, since: new Date().toISOString() };
    this.lastError = null;
    void this.watcher.pause();
    if (this.lockPoll) clearInterval(this.lockPoll);
    this.lockPoll = null;
    this.update();
  }

  async endInstall(error: ErrorBody | null): Promise<void> {
    // Until the disk is read anew (refresh reads the marker at once), the status stays the install's.
    await this.watcher.resume();
    this.own = null;
    this.lastError = error;
    await this.refresh();
    await this.refreshApiServer();
  }

  /** The settings changed: the API server in use may have, or the environment it should run with. */
  settingsChanged(): void {
    this.update();
  }

  /**
   * Look for SkyPilot's local API server again (after a sky run: the first one starts it;
   * and every API_SERVER_POLL_MS, which also notices `sky api login` in a terminal).
   */
  async refreshApiServer(): Promise<void> {
    const pids = await localApiServerPids(this.layout.home).catch(() => []);
    this.apiServerPids = pids;
    this.apiServerEnv = pids[0] === undefined ? null : startEnvironment(pids[0]);
    this.update();
  }

  /** Re-read the marker, the lock and PATH; concurrent calls share one pass, plus one more if asked meanwhile. */
  refresh(): Promise<void> {
    if (this.own) return Promise.resolve();
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
    if (!this.marker && existsSync(this.layout.marker)) this.lookAgainSoon();
    const onPath = findOnPath('sky', this.env.PATH, this.layout.home);
    if (onPath !== this.pathSky) {
      this.pathSky = onPath;
      this.pathSkyVersion = onPath
        ? await versionOf(onPath, this.options.skyEnvironment(onPath), this.layout.home)
        : null;
    }
    const holder = await lockHolder(this.layout);
    const foreign = this.own ? null : holder; // this server's own install, begun meanwhile, holds it
    this.foreignSince = foreign ? (this.foreignSince ?? foreign.started_at ?? new Date().toISOString()) : null;
    if (foreign && !this.lockPoll) {
      this.lockPoll = setInterval(() => void this.refresh(), LOCK_POLL_MS);
    } else if (!foreign && this.lockPoll) {
      clearInterval(this.lockPoll);
      this.lockPoll = null;
    }
  }

  /** A marker written in place by hand is read again until it parses (or goes away). */
  private lookAgainSoon(): void {
    if (this.settle || this.closed) return;
    this.settle = setTimeout(() => {
      this.settle = null;
      void this.refresh();
    }, SETTLE_MS);
  }

  private compute(): InstallStatus {
    const location = this.skyLocation();
    const managed = location?.source === 'managed';
    const endpoint = this.options.apiServer();
    const running = this.apiServerPids.length > 0;
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
      extras: managed && this.marker ? markerExtras(this.marker) : null,
      api_server: {
        endpoint: redactUrl(endpoint.url),
        team: endpoint.team,
        source: endpoint.source,
        restart_pending:
          !endpoint.team &&
          running &&
          startedWithOtherValues(
            this.apiServerEnv,
            this.options.skyEnvironment(location?.path ?? null),
            this.options.serverVariables,
          ),
        running,
        pids: this.apiServerPids,
      },
    };
  }

  private update(): void {
    const next = this.compute();
    // As GET /status sends it: an installer's error may quote an address with its password.
    const json = jsonWithoutCredentials(next);
    if (json === this.serialized.toString()) return;
    this.current = next;
    this.serialized = Buffer.from(json);
    this.onChange(next);
  }
}

/** Once per sky found on PATH: its version, from `sky --version` (which starts no API server). */
async function versionOf(path: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string | null> {
  const child = runProcess(path, ['--version'], { env, cwd });
  const timer = setTimeout(() => child.stop(), 30_000);
  const result = await child.result;
  clearTimeout(timer);
  return /version (\S+)/.exec(result.stdout)?.[1] ?? null;
}

/** Whether the local API server runs with other values than sky would now give it (its start's are known on Linux only). */
function startedWithOtherValues(
  started: NodeJS.ProcessEnv | null,
  now: NodeJS.ProcessEnv,
  names: readonly string[],
): boolean {
  return started !== null && names.some((name) => (started[name] ?? '') !== (now[name] ?? ''));
}
