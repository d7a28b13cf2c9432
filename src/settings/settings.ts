/**
 * The settings a user can change from the page: the network settings the installer
 * reads too (src/contract.ts, SETTINGS_VARIABLES) and the team's SkyPilot API
 * server. They are kept in CARAPACE_HOME/settings.json, 0600, in the one form the
 * script reads (src/settings/file.ts). A variable set in Carapace's environment wins,
 * and is shown as such. A password in an address is never sent back: it shows as ***.
 * A settings.json of another form gives no value (the installer refuses it too): the
 * answer says why, and a save writes a good file over it.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { ErrorBody, Setting, SettingsAnswer } from '../api.js';
import { type Layout, SETTINGS_VARIABLES } from '../contract.js';
import { invalidRequest } from '../errors.js';
import { redactUrl } from '../redact.js';
import { indexAddress, readAddress, refusedAddress } from './address.js';
import { readSettingsFile, writeSettingsFile } from './file.js';

/** The team's SkyPilot API server (SkyPilot's SKYPILOT_API_SERVER_ENDPOINT), for every sky the app runs. */
export const TEAM_SERVER = 'CARAPACE_SKYPILOT_API_SERVER';

/**
 * What a value is, and so how it is checked: `download` addresses (one, a list, or an
 * index's `name=URL`) and the team's server are https, or plain http to this machine
 * (src/settings/address.ts, the installer's rule); a proxy is any http(s) address read
 * by the same rule; a CA bundle is the path of a readable file.
 */
type Kind = 'proxy' | 'download' | 'downloads' | 'index' | 'team' | 'path';

const DESCRIBED: Record<string, { label: string; help: string; kind: Kind }> = {
  HTTPS_PROXY: {
    label: 'Proxy',
    help: 'The proxy for https, e.g. http://proxy.example:3128 (a user name and password in it are kept, never shown).',
    kind: 'proxy',
  },
  CARAPACE_UV_MIRROR: {
    label: 'uv download mirrors',
    help: 'https:// addresses of uv release mirrors, separated by spaces, tried in turn.',
    kind: 'downloads',
  },
  UV_ASTRAL_MIRROR_URL: {
    label: "Mirror of Astral's downloads",
    help: "Your company's mirror of https://releases.astral.sh (e.g. in Artifactory or Nexus): uv is downloaded from it, and Python too unless a Python mirror is set.",
    kind: 'download',
  },
  UV_PYTHON_INSTALL_MIRROR: {
    label: 'Python download mirror',
    help: 'Where uv downloads Python from instead of GitHub (python-build-standalone releases).',
    kind: 'download',
  },
  UV_DEFAULT_INDEX: {
    label: 'Package index',
    help: "A PyPI-compatible index, e.g. your company's https://pypi.corp.example/simple.",
    kind: 'index',
  },
  SSL_CERT_FILE: {
    label: 'CA bundle',
    help: "The path of a PEM file with your organisation's certificates (for a proxy that inspects HTTPS).",
    kind: 'path',
  },
  [TEAM_SERVER]: {
    label: "Team's SkyPilot API server",
    help: "A SkyPilot API server your team runs (e.g. https://skypilot.corp.example); empty for SkyPilot's local one.",
    kind: 'team',
  },
};

const NAMES = [...SETTINGS_VARIABLES, TEAM_SERVER];

/** A record's own entry: names such as `constructor` or `__proto__` are no setting and no variable. */
function own<T>(record: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

export class Settings {
  private cache: { version: string; values: Record<string, string>; problem: ErrorBody | null } | null = null;

  constructor(
    private readonly layout: Layout,
    /** The environment Carapace was started with. */
    private readonly environment: NodeJS.ProcessEnv,
    /** Told after each save: what depends on the settings (the status's API server) is recomputed. */
    private readonly onSaved: () => void = () => undefined,
  ) {}

  /**
   * What settings.json holds, and why it gives nothing when it is refused. Every sky run
   * and status change asks, so the file is read again only when it changed (saved from
   * the page, or edited by hand).
   */
  private saved(): { values: Record<string, string>; problem: ErrorBody | null } {
    const { version, read } = readSettingsFile(this.layout.settings, this.cache?.version ?? null);
    if (read === null && this.cache) return this.cache;
    const values = Object.fromEntries(
      NAMES.flatMap((name) => {
        const value = read ? own(read.values, name) : undefined;
        return value ? [[name, value]] : [];
      }),
    );
    this.cache = { version, values, problem: read?.problem ?? null };
    return this.cache;
  }

  private fromEnvironment(name: string): string | undefined {
    return own(this.environment, name) || undefined;
  }

  /** The value in use of one setting (the environment's, else the saved one), unredacted. */
  value(name: string): string | null {
    return this.fromEnvironment(name) || own(this.saved().values, name) || null;
  }

  /** What the page shows: values redacted, help texts as they are. */
  answer(): SettingsAnswer {
    const { values: saved, problem } = this.saved();
    const settings: Setting[] = NAMES.map((name) => {
      const described = DESCRIBED[name] ?? { label: name, help: '', kind: 'download' };
      const fromEnvironment = this.fromEnvironment(name);
      const value = fromEnvironment || saved[name] || '';
      return {
        name,
        label: described.label,
        help: described.help,
        value: redactUrl(value),
        source: fromEnvironment ? 'environment' : saved[name] ? 'saved' : 'unset',
      };
    });
    return { settings, path: this.layout.settings, problem };
  }

  /**
   * Saves what the page sent; a value the page got redacted keeps what is saved. A
   * refused settings.json is written over, with what it is sent now.
   */
  save(body: unknown): SettingsAnswer {
    const values = (body as { values?: unknown } | null)?.values;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw invalidRequest('Send {"values": {"NAME": "value", ...}}.');
    }
    const next = { ...this.saved().values };
    for (const [name, raw] of Object.entries(values as Record<string, unknown>)) {
      const described = own(DESCRIBED, name);
      if (!described) throw invalidRequest(`"${name.slice(0, 60)}" is not a setting.`, `Use: ${NAMES.join(', ')}.`);
      if (this.fromEnvironment(name)) {
        throw invalidRequest(
          `${name} is set in Carapace's environment, which wins.`,
          `Unset ${name} and restart Carapace to set it here.`,
        );
      }
      if (typeof raw !== 'string') throw invalidRequest(`${described.label} must be text.`);
      const value = raw.trim();
      if (value === '') {
        delete next[name];
        continue;
      }
      if (next[name] && value === redactUrl(next[name])) continue;
      next[name] = checked(described.label, described.kind, value);
    }
    writeSettingsFile(this.layout.settings, next);
    this.onSaved();
    return this.answer();
  }
}

/** What a refused address of each kind should look like. */
const ADDRESS_EXAMPLES: Record<Exclude<Kind, 'path'>, string> = {
  proxy:
    'Use an address such as http://proxy.example:3128, with a user and password before the host if it asks for them (http://user:password@proxy.example:3128).',
  download: 'Use a full address such as https://mirror.example/path (http:// only to this machine).',
  downloads:
    'Use full addresses such as https://mirror.example/path, separated by spaces (http:// only to this machine).',
  index:
    'Use the address of a PyPI-compatible index such as https://pypi.example/simple (http:// only to this machine).',
  team: 'Use the address of your team’s SkyPilot API server, such as https://sky.example.com (http:// only to this machine).',
};

/** A value the script can read back as it is (SETTINGS_FILE's form: printable ASCII, no quotes or backslashes), and of its kind. */
function checked(label: string, kind: Kind, value: string): string {
  if (value.length > 2000 || !/^[ -~]*$/.test(value) || /["\\]/.test(value)) {
    throw invalidRequest(
      `${label} holds characters Carapace cannot keep (quotes, backslashes, control characters or characters outside ASCII).`,
    );
  }
  if (kind === 'path') return checkedPath(label, value);
  const addresses = kind === 'downloads' ? value.split(/ +/) : [kind === 'index' ? indexAddress(value) : value];
  for (const address of addresses) {
    const read = readAddress(address);
    const why = kind === 'proxy' ? (read.ok ? null : read.why) : refusedAddress(address, kind === 'team');
    if (why) {
      throw invalidRequest(
        `${label}: ${read.ok ? read.shown : redactUrl(address)} is not an address Carapace can use: ${why}.`,
        ADDRESS_EXAMPLES[kind],
      );
    }
  }
  return value;
}

/**
 * The CA bundle: a file Carapace, uv, curl and wget can read, whatever its name holds (spaces
 * too), holding at least one PEM certificate -- any other file would be taken, and every https
 * download would fail at the next install with a TLS error far from its cause.
 */
function checkedPath(label: string, path: string): string {
  if (!path.startsWith('/')) throw invalidRequest(`${label} must be a full path, starting with /.`);
  const hint = 'Give the full path of a readable PEM file, e.g. /etc/ssl/certs/corp-ca.pem.';
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.R_OK);
    text = readFileSync(path, 'latin1');
  } catch {
    throw invalidRequest(`${label}: ${path} is not a file Carapace can read.`, hint);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw invalidRequest(`${label}: ${path} holds no certificate (no "-----BEGIN CERTIFICATE-----" line).`, hint);
  }
  return path;
}
