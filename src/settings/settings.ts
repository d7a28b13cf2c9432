/**
 * The settings a user can change from the page: the network settings the installer
 * reads too (src/contract.ts, SETTINGS_VARIABLES) and the team's SkyPilot API
 * server. They are kept in CARAPACE_HOME/settings.json, 0600, in the one-pair-a-line
 * form the script reads. A variable set in Carapace's environment wins, and is
 * shown as such. A password in a proxy address is never sent back: it shows as ***.
 */
import type { Setting, SettingsAnswer } from '../api.js';
import { type Layout, SETTINGS_VARIABLES } from '../contract.js';
import { invalidRequest } from '../errors.js';
import { redactUrl } from '../redact.js';
import { readSettingsFile, writeSettingsFile } from './file.js';

/** The team's SkyPilot API server (SkyPilot's SKYPILOT_API_SERVER_ENDPOINT), for every sky the app runs. */
export const TEAM_SERVER = 'CARAPACE_SKYPILOT_API_SERVER';

type Kind = 'url' | 'urls' | 'path';

const DESCRIBED: Record<string, { label: string; help: string; kind: Kind }> = {
  HTTPS_PROXY: {
    label: 'Proxy',
    help: 'The proxy for https, e.g. http://proxy.example:3128 (a user:password@ in it is kept, never shown).',
    kind: 'url',
  },
  CARAPACE_UV_MIRROR: {
    label: 'uv download mirrors',
    help: 'https:// addresses of uv release mirrors, separated by spaces, tried in turn.',
    kind: 'urls',
  },
  UV_PYTHON_INSTALL_MIRROR: {
    label: 'Python download mirror',
    help: 'Where uv downloads Python from instead of GitHub (python-build-standalone releases).',
    kind: 'url',
  },
  UV_DEFAULT_INDEX: {
    label: 'Package index',
    help: "A PyPI-compatible index, e.g. your company's https://pypi.corp.example/simple.",
    kind: 'url',
  },
  SSL_CERT_FILE: {
    label: 'CA bundle',
    help: "The path of a PEM file with your organisation's certificates (for a proxy that inspects HTTPS).",
    kind: 'path',
  },
  [TEAM_SERVER]: {
    label: "Team's SkyPilot API server",
    help: "A SkyPilot API server your team runs (e.g. https://skypilot.corp.example); empty for SkyPilot's local one.",
    kind: 'url',
  },
};

const NAMES = [...SETTINGS_VARIABLES, TEAM_SERVER];

export class Settings {
  private cache: { version: string; values: Record<string, string> } | null = null;

  constructor(
    private readonly layout: Layout,
    /** The environment Carapace was started with. */
    private readonly environment: NodeJS.ProcessEnv,
    /** Told after each save: what depends on the settings (the status's API server) is recomputed. */
    private readonly onSaved: () => void = () => undefined,
  ) {}

  /**
   * What settings.json holds. Every sky run and status change asks, so the file is
   * read again only when it changed (saved from the page, or edited by hand).
   */
  private saved(): Record<string, string> {
    const { version, record } = readSettingsFile(this.layout.settings, this.cache?.version ?? null);
    if (record === null && this.cache) return this.cache.values;
    const values = Object.fromEntries(
      NAMES.filter((name) => typeof record?.[name] === 'string' && record[name] !== '').map((name) => [
        name,
        record?.[name] as string,
      ]),
    );
    this.cache = { version, values };
    return values;
  }

  /** The value in use of one setting (the environment's, else the saved one), unredacted. */
  value(name: string): string | null {
    return this.environment[name] || this.saved()[name] || null;
  }

  /** What the page shows. */
  answer(): SettingsAnswer {
    const saved = this.saved();
    const settings: Setting[] = NAMES.map((name) => {
      const described = DESCRIBED[name] ?? { label: name, help: '', kind: 'url' };
      const fromEnvironment = this.environment[name];
      const value = fromEnvironment || saved[name] || '';
      return {
        name,
        label: described.label,
        help: described.help,
        value: redactUrl(value),
        source: fromEnvironment ? 'environment' : saved[name] ? 'saved' : 'unset',
      };
    });
    return { settings, path: this.layout.settings };
  }

  /** Saves what the page sent; a value the page got redacted keeps what is saved. */
  save(body: unknown): SettingsAnswer {
    const values = (body as { values?: unknown } | null)?.values;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw invalidRequest('Send {"values": {"NAME": "value", ...}}.');
    }
    const next = this.saved();
    for (const [name, raw] of Object.entries(values as Record<string, unknown>)) {
      const described = DESCRIBED[name];
      if (!described) throw invalidRequest(`"${name.slice(0, 60)}" is not a setting.`, `Use: ${NAMES.join(', ')}.`);
      if (this.environment[name]) {
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

/** A value the script can read back as it is: one line, no quotes or backslashes, and of its kind. */
function checked(label: string, kind: Kind, value: string): string {
  if (value.length > 2000 || /["\\\p{Cc}]/u.test(value)) {
    throw invalidRequest(`${label} holds characters Carapace cannot keep (quotes, backslashes or control characters).`);
  }
  const urls = kind === 'urls' ? value.split(/\s+/) : kind === 'url' ? [value] : [];
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidRequest(
        `${label}: "${redactUrl(url)}" is not an address.`,
        'Use a full address such as https://mirror.example/path.',
      );
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw invalidRequest(`${label}: "${redactUrl(url)}" is not an http(s) address.`);
    }
  }
  if (kind === 'path' && !value.startsWith('/')) {
    throw invalidRequest(`${label} must be a full path, starting with /.`);
  }
  return value;
}
