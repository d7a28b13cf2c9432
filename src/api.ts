/**
 * What travels over HTTP and the event stream, as the page sees it. No Node.js
 * imports: public/app.js takes these types with JSDoc `import()`, and `npm test`
 * type-checks it against them (tsconfig.page.json).
 */
import type { InstallerErrorCode, Phase } from './contract.js';

export type { InstallerErrorCode, Phase };

/** A cloud `sky check` found enabled, with what it can do there ("compute", "storage"). */
export interface EnabledCloud {
  name: string;
  capabilities: string[];
}

/** Why a cloud is disabled, for the capabilities named. */
export interface CloudReason {
  capabilities: string[];
  text: string;
}

export interface DisabledCloud {
  name: string;
  reasons: CloudReason[];
}

/** One workspace's summary block of `sky check`. */
export interface WorkspaceInfra {
  workspace: string;
  enabled: EnabledCloud[];
}

/** What `sky check` printed (src/sky/check.ts). */
export interface CloudCheck {
  enabled: EnabledCloud[];
  disabled: DisabledCloud[];
  /** The summary blocks: one per workspace (one, named "default", without workspaces). */
  workspaces: WorkspaceInfra[];
  raw: string;
}

/** A disabled cloud, in Carapace's words: its libraries may simply not be installed yet. */
export interface DisabledCloudAdvice extends DisabledCloud {
  /** SkyPilot's libraries for this cloud are not installed: Carapace can add them (the extra to add). */
  missing_extra: string | null;
}

/** One cluster of `sky status` (src/sky/status.ts). */
export interface Cluster {
  name: string;
  infra: string;
  resources: string;
  status: string;
  autostop: string;
  launched: string;
  workspace: string | null;
  /** Whose it is: listed with `--all-users` (a team's API server), else null. */
  user: string | null;
}

/** What "Stop when idle" asks of SkyPilot (`-i N`, `--down`). */
export interface Autostop {
  /** Stop (or tear down) after this many idle minutes. */
  idle_minutes: number;
  /** Tear down instead of stopping. */
  down: boolean;
}

/** POST /servers, as validated by src/servers/request.ts. */
export interface LaunchRequest {
  name: string;
  cloud: string | null;
  region: string | null;
  cpus: string | null;
  memory: string | null;
  disk_size: number | null;
  use_spot: boolean;
  ports: string[];
  /** null: no autostop (the server runs, and bills, until torn down). */
  autostop: Autostop | null;
  dryrun: boolean;
}

/** A cloud Carapace can launch on (src/sky/clouds.ts), as GET /app-info lists them. */
export interface CloudInfo {
  /** SkyPilot's name for it in `infra:` and for its extra, e.g. "gcp". */
  id: string;
  /** How `sky check` names it, e.g. "GCP". */
  name: string;
  /**
   * SkyPilot has an extra for it (sky/setup_files/dependencies.py), so "Add <cloud>" can
   * install its libraries into Carapace's SkyPilot; false: enabled some other way, said in the check.
   */
  addable: boolean;
  /**
   * Whether autostop may stop a server there (keeping its disk) rather than tear it down:
   * SkyPilot's STOP feature, for on-demand and for spot servers (sky/clouds/<cloud>.py).
   */
  can_stop: { on_demand: boolean; spot: boolean };
  /**
   * Whether autostop may tear a server down when idle (`--down`: SkyPilot's AUTODOWN
   * feature, sky/clouds/<cloud>.py); false on Nebius, which cannot delete the OS disk.
   */
  can_autodown: boolean;
}

/** GET /app-info. */
export interface AppInfo {
  /** The offline demo: uv and sky are stand-ins. */
  demo: boolean;
  clouds: CloudInfo[];
  /** What a launch needs on this machine and is missing ("ssh", "rsync"), looked for at start. */
  missing_tools: string[];
}

/** POST /clouds/check: the check, with disabled clouds explained in Carapace's words. */
export interface CloudCheckAnswer extends Omit<CloudCheck, 'disabled'> {
  disabled: DisabledCloudAdvice[];
}

/** A Check Clouds answer, with when it was checked (ISO 8601). */
export type CheckedClouds = CloudCheckAnswer & { checked_at: string };

/** GET /servers. */
export interface ServersAnswer {
  /** false: SkyPilot is not installed, so there can be no servers (and nothing was installed). */
  installed: boolean;
  servers: Cluster[];
  /** Everyone's clusters, with whose each is (`sky status -u`, a team's API server); false: only this user's. */
  all_users: boolean;
  /** When sky answered (ISO 8601); null when nothing was read. */
  read_at: string | null;
  /** The statuses were asked of the clouds (`sky status --refresh`, GET /servers?refresh=true), not SkyPilot's cache. */
  refreshed: boolean;
}

/** One setting the page can show and change (GET /settings). */
export interface Setting {
  name: string;
  label: string;
  help: string;
  /** What is in use; a password in a proxy address is shown as ***. */
  value: string;
  /** Where the value in use comes from; an environment value cannot be changed from the page. */
  source: 'environment' | 'saved' | 'unset';
}

/** GET /settings and PUT /settings's answer. */
export interface SettingsAnswer {
  settings: Setting[];
  path: string;
  /**
   * settings.json is not in the form Carapace writes (code `settings`): none of its values
   * is used, by the server or the installer, until a save writes the file anew.
   */
  problem: ErrorBody | null;
}

/** GET /logs/install: the end of the last install's log, with secrets removed. */
export interface LogTail {
  path: string;
  lines: string[];
  /** Lines left out before the ones sent. */
  omitted: number;
}

/** POST /clouds/:name/enable: the cloud's libraries installed, then `sky check <cloud>`. */
export interface CloudEnableAnswer {
  cloud: string;
  enabled: boolean;
  check: CloudCheckAnswer;
  /**
   * The last full Check Clouds with this cloud's entry replaced by `check`'s (the same list as
   * Snapshot.last_check); null when no full check has run in this server's life.
   */
  last_check: CheckedClouds | null;
}

/** The server's own failures, outside the installer. */
export const SERVER_ERROR_CODES = [
  'invalid-request',
  'unsupported-media-type',
  'unauthorized',
  'forbidden',
  'not-found',
  'too-many-requests',
  /** An update, uninstall or added cloud waits for nothing: it is refused while a launch, teardown or check runs. */
  'busy',
  /** Only Carapace's own SkyPilot is updated or given clouds; a sky on PATH is the user's. */
  'sky-not-managed',
  'sky-failed',
  'sky-api-mismatch',
  'sky-api-unreachable',
  'sky-api-unauthorized',
  'shutting-down',
] as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];
export type ErrorCode = InstallerErrorCode | ServerErrorCode;

/** Every failure: a code, a message in plain words, and what to do next. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint: string;
}

export type InstallState = 'not_installed' | 'installing' | 'installed' | 'error';
export type SkySource = 'managed' | 'path';

/** GET /status, and the `status` event. */
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
  /** The clouds whose libraries are installed (the requirement's extras); null when unknown (sky on PATH). */
  extras: string[] | null;
  api_server: ApiServerStatus;
}

/** The SkyPilot API server every sky the app runs talks to. */
export interface ApiServerStatus {
  /** Its address (a password in it shown as ***). */
  endpoint: string;
  /** A team's shared server, else SkyPilot's local one. */
  team: boolean;
  /**
   * Where the address comes from, in the order sky itself reads them (sky/server/common.py,
   * get_server_url): SKYPILOT_API_SERVER_ENDPOINT in the environment, Carapace's setting,
   * api_server.endpoint in ~/.sky/config.yaml (`sky api login`), else the local default.
   */
  source: 'environment' | 'settings' | 'config' | 'default';
  /**
   * The local API server runs with settings (proxy, CA bundle) older than the saved ones: it
   * is restarted before the next sky command, once no request runs in it.
   */
  restart_pending: boolean;
  /** The local one started from this install is running (it outlives the sky command that started it). */
  running: boolean;
  pids: number[];
}

/** One installer output line, as parsed by src/installer/lines.ts. */
export interface InstallEvent {
  phase: Phase;
  /** 0-100, on progress lines. */
  percent: number | null;
  /** Bytes done and in all, on download progress lines. */
  bytes: number | null;
  total: number | null;
  code: InstallerErrorCode | null;
  message: string;
  /** On error lines: what to do next. */
  hint: string | null;
  /** On error lines: the log with the full detail. */
  log: string | null;
}

/** What an installer run was asked to do: a first install, a repair (forced), a cloud added, an update, an uninstall. */
export type InstallJobKind = 'install' | 'repair' | 'add-cloud' | 'update' | 'uninstall';

/** The `install` event. */
export interface InstallEventData extends InstallEvent {
  install_id: string;
  /** What the run does, so that a page that did not start it can say so ("Removing the cloud tools"). */
  job: InstallJobKind;
  /** The cloud an add-cloud run adds (its id, e.g. "gcp"); else null. */
  cloud: string | null;
}

/**
 * The `waiting` event: the servers whose launch waits for SkyPilot to be installed, each time
 * that list changes (a new client gets it as Snapshot.waiting_launches).
 */
export interface WaitingEventData {
  launches: string[];
}

/** POST /install/cancel: the installer run stopped (it exits with code `interrupted`), or null when none ran. */
export interface InstallCancelAnswer {
  install_id: string | null;
  message: string;
}

export type OperationKind = 'check' | 'launch' | 'down';
export type OutputStream = 'stdout' | 'stderr';

interface OperationBase {
  operation_id: string;
  kind: OperationKind;
  name: string | null;
}

/** The `operation` event: a sky run's start, its output lines, and its end. */
export type OperationEventData = OperationBase &
  (
    | { event: 'start'; command: string[] }
    | { event: 'line'; stream: OutputStream; line: string }
    /** The run can be cancelled through SkyPilot's own request id (launches). */
    | { event: 'cancellable'; request_id: string }
    | {
        event: 'end';
        exit_code: number | null;
        ok: boolean;
        message: string;
        hint: string | null;
        code: ErrorCode | null;
      }
  );

/** A running operation, as a new client's snapshot lists it. */
export interface OperationSummary extends OperationBase {
  started_at: string;
  request_id: string | null;
  lines: { stream: OutputStream; line: string }[];
}

/** The first event a new client gets. */
export interface Snapshot {
  status: InstallStatus;
  install: { id: string; events: InstallEventData[] } | null;
  operations: OperationSummary[];
  /**
   * The last Check Clouds of this server's life, with each cloud added since updated in place;
   * null before the first, and while SkyPilot is not installed (an uninstall makes it untrue).
   */
  last_check: CheckedClouds | null;
  /**
   * The servers being launched that wait for the cloud tools to be installed first (their
   * names); each one's `operation` start comes once SkyPilot is installed.
   */
  waiting_launches: string[];
}

/** The data of every event carries the server's time when it was sent, in ms. */
export type Timed<T> = T & { ts: number };
