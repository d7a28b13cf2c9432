/**
 * The contract between scripts/install-skypilot.sh and this server: the layout of
 * CARAPACE_HOME, the marker's fields, the install lock, the output grammar's
 * phases, the error codes with their exit statuses, the settings file, the oldest
 * SkyPilot both use and how both find SkyPilot's local API server.
 *
 * The script defines each of these facts once, in the block at its top headed
 * "the contract". test/installer/contract.test.ts runs the script and checks the files
 * and lines it produces against this module, so changing one side alone fails it.
 *
 * No Node.js imports: the page (public/app.js) takes its types from here too.
 */

/** The phases of the installer's output lines, in the order an install goes through them. */
export const PHASES = ['checking', 'downloading', 'installing', 'verifying', 'complete', 'error'] as const;
export type Phase = (typeof PHASES)[number];

/** Every error code the installer reports, with the exit status it exits with. */
export const INSTALLER_EXIT_STATUS = {
  platform: 10,
  'missing-tool': 11,
  network: 12,
  tls: 13,
  checksum: 14,
  disk: 15,
  permission: 16,
  lock: 17,
  package: 18,
  python: 19,
  /** CARAPACE_HOME/settings.json is not in the form Carapace writes (SETTINGS_FILE). */
  settings: 20,
  interrupted: 130,
  internal: 1,
} as const;
export type InstallerErrorCode = keyof typeof INSTALLER_EXIT_STATUS;
export const INSTALLER_ERROR_CODES = Object.keys(INSTALLER_EXIT_STATUS) as InstallerErrorCode[];

/** The fields of install.json, the marker the installer writes last. */
export const MARKER_FIELDS = [
  'installer_version',
  'uv_version',
  'sky_version',
  'spec',
  'extras',
  'python',
  'platform',
  'sky_path',
  /** The tools.<id> folder the `tools` link pointed to when this marker was written. */
  'tools_dir',
  /** What uv downloaded for this install: the next one's progress is measured against it. */
  'download_bytes',
  'installed_at',
] as const;
export type Marker = Record<(typeof MARKER_FIELDS)[number], string>;

/**
 * The install lock: a directory made with mkdir and touched every few seconds
 * (proper-lockfile's on-disk format), holding a file that names its owner.
 */
export const LOCK = {
  staleMs: 20_000,
  ownerFields: ['pid', 'host', 'started_at'] as const,
};

/** Paths relative to CARAPACE_HOME. */
export const LAYOUT = {
  /** Marks the folder as Carapace's and lists what the installer made in it (all --uninstall removes). */
  homeMark: '.carapace-home',
  marker: 'install.json',
  /** The next marker, written before a switch; while it exists a switch was under way. */
  pendingMarker: 'install.json.next',
  lock: 'install.lock',
  lockOwner: 'install.lock/owner',
  uv: 'uv/uv',
  uvx: 'uv/uvx',
  /** A link to the tools.<id> folder of the environment in use; an install is switched to by replacing it. */
  tools: 'tools',
  skyBin: 'tools/bin/sky',
  pythonInstalls: 'python/installs',
  pythonBin: 'python/bin',
  cache: 'cache',
  credentials: 'credentials',
  installLog: 'logs/install.log',
  staging: 'staging',
  /** Network settings saved from the page, read by the installer too. */
  settings: 'settings.json',
  /** The server's own files, which --uninstall keeps. */
  servers: 'servers',
  token: 'server-token',
} as const;

export type Layout = { home: string } & { [K in keyof typeof LAYOUT]: string };

/** The comment the home mark starts with; the lines after it name what the installer made. */
export const HOME_MARK_HEADER =
  '# This folder belongs to Carapace (scripts/install-skypilot.sh). --uninstall removes the entries listed below, and nothing else.\n';

/**
 * Who may write in CARAPACE_HOME: the user running Carapace, alone. Anyone else who can
 * write there can plant the server's token, the settings or the programs Carapace runs,
 * so a folder another user owns, or that group or others may write in, is refused at
 * start -- as ssh refuses such a ~/.ssh. The installer (code `permission`) and the
 * server say it in these words, the message followed by the folder.
 */
export const HOME_OWNERSHIP = {
  message: 'CARAPACE_HOME must be owned by you and writable by no one else, and this folder is not:',
  hint: 'Check that nothing in it was put there by someone else, then make it yours alone (chown it to your user, chmod go-w), or set CARAPACE_HOME to a new folder.',
} as const;

/** Every path of the layout under `home` (an absolute path; macOS and Linux only, so '/' joins). */
export function layoutOf(home: string): Layout {
  const paths = Object.fromEntries(Object.entries(LAYOUT).map(([key, relative]) => [key, `${home}/${relative}`]));
  return { home, ...paths } as Layout;
}

/**
 * The network settings saved in CARAPACE_HOME/settings.json (from the page), named
 * after the variables they stand for; a variable set in the environment wins.
 */
export const SETTINGS_VARIABLES = [
  'HTTPS_PROXY',
  'CARAPACE_UV_MIRROR',
  'UV_ASTRAL_MIRROR_URL',
  'UV_PYTHON_INSTALL_MIRROR',
  'UV_DEFAULT_INDEX',
  'SSL_CERT_FILE',
] as const;
export type SettingsVariable = (typeof SETTINGS_VARIABLES)[number];

/**
 * settings.json is a JSON object with one setting a line in this shape, the last line
 * without its comma: the script reads it line by line, without a JSON parser.
 */
export const SETTINGS_LINE = '  "NAME": "VALUE",';

/**
 * The one form of settings.json both readers accept (the installer's read_settings_file
 * and src/settings/file.ts): a line `{`, lines of SETTINGS_LINE's shape (NAME in capitals,
 * digits and `_`; VALUE without `"` or `\`), the last without its comma, and a line `}`,
 * each ending with a line break; `{}` alone when nothing is saved; only printable ASCII;
 * no name twice; a regular file, not a link, of at most `maxBytes`. Anything else is
 * refused by both, with the same words, and the installer's code `settings`.
 */
export const SETTINGS_FILE = {
  maxBytes: 16384,
  refusedHint:
    "Save the settings again in Carapace's Settings, which writes the file anew (or delete the file), then retry.",
} as const;

/**
 * SkyPilot's local API server runs as `<python> -m sky.server.server` and keeps no pid
 * file (sky/server/common.py): it is found by this in its command line, with a path
 * inside CARAPACE_HOME, as `sky api stop` finds it (sky/client/sdk.py, api_stop).
 */
export const API_SERVER_MODULE = '-m sky.server.server';

/**
 * The oldest SkyPilot whose output and task schema (`infra:`) Carapace reads: the
 * INFRA column and the infra field arrived with skypilot-org/skypilot PR #5602
 * (May 2025), first released in 0.10.0; nightlies are versioned 1.0.0.devYYYYMMDD.
 * A `sky` on PATH older than this is not used.
 */
export const OLDEST_SKYPILOT = { release: '0.10', nightly: '20250601' } as const;

export function skypilotIsSupported(version: string): boolean {
  const nightly = /\.dev(\d{8})/.exec(version);
  if (nightly) return (nightly[1] ?? '') >= OLDEST_SKYPILOT.nightly;
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const [oldestMajor, oldestMinor] = OLDEST_SKYPILOT.release.split('.').map(Number) as [number, number];
  return major > oldestMajor || (major === oldestMajor && minor >= oldestMinor);
}
