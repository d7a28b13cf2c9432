/** Settings from the environment (README, "Running the app"). */
import { fileURLToPath } from 'node:url';
import { carapaceHome } from './layout.js';

export interface Config {
  host: string;
  port: number;
  home: string;
  /** More Host names to accept, e.g. the name a container is reached by (CARAPACE_ALLOWED_HOSTS). */
  allowedHosts: string[];
}

/** The installer this server runs: the same file bin/setup and the Dockerfile run. */
export const INSTALLER_SCRIPT = fileURLToPath(new URL('../scripts/install-skypilot.sh', import.meta.url));
/** The page's files. */
export const PAGE_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.CARAPACE_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`CARAPACE_PORT is not a port: ${env.CARAPACE_PORT}`);
  return {
    host: env.CARAPACE_HOST || '127.0.0.1',
    port,
    home: carapaceHome(env),
    allowedHosts: (env.CARAPACE_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim())
      .filter(Boolean),
  };
}
