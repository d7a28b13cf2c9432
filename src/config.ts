/** Settings from the environment (docs/server.md, "The server"). */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Config {
  host: string;
  port: number;
  home: string;
  /** More Host names to accept, e.g. the name a container is reached by (CARAPACE_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Whether API requests need the token (always, unless turned off on a loopback address). */
  auth: boolean;
  /** A token given in CARAPACE_TOKEN, instead of the one kept in CARAPACE_HOME. */
  token: string | null;
}

/** The installer this server runs: the same file bin/setup and the Dockerfile run. */
export const INSTALLER_SCRIPT = fileURLToPath(new URL('../scripts/install-skypilot.sh', import.meta.url));
/** The page's files. */
export const PAGE_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/**
 * What a token may be: 32 to 256 characters that need no escaping in a URL or a
 * header. 32 is the floor a guessable choice (a word, a date) rarely reaches; the
 * generated one has 48 hex digits (192 bits).
 */
export const TOKEN_FORM = /^[A-Za-z0-9._~-]{32,256}$/;

export class ConfigError extends Error {}

/**
 * CARAPACE_HOME, or ~/.carapace. Like the installer, a relative path, the root
 * folder and the home folder itself are refused: Carapace creates and deletes
 * folders in it.
 */
export function carapaceHome(env: NodeJS.ProcessEnv = process.env): string {
  const userHome = env.HOME || homedir();
  const configured = env.CARAPACE_HOME;
  if (!configured) return `${userHome}/.carapace`;
  if (!isAbsolute(configured)) throw new ConfigError(`CARAPACE_HOME must be a full path, not "${configured}".`);
  const home = resolve(configured);
  if (home === '/' || home === resolve(userHome)) {
    throw new ConfigError(`CARAPACE_HOME must be a folder of Carapace's own, not ${home}.`);
  }
  return home;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.CARAPACE_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`CARAPACE_PORT is not a port: ${env.CARAPACE_PORT}.`);
  }
  const host = env.CARAPACE_HOST || '127.0.0.1';
  const authOff = env.CARAPACE_AUTH === 'off';
  if (authOff && !LOOPBACK_HOSTS.includes(host)) {
    throw new ConfigError(`CARAPACE_AUTH=off is allowed only on a loopback address, not on ${host}.`);
  }
  const token = env.CARAPACE_TOKEN || null;
  if (token !== null && !TOKEN_FORM.test(token)) {
    throw new ConfigError('CARAPACE_TOKEN must be 32 to 256 letters, digits, ".", "_", "~" or "-".');
  }
  return {
    host,
    port,
    home: carapaceHome(env),
    allowedHosts: (env.CARAPACE_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    auth: !authOff,
    token,
  };
}
