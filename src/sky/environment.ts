/**
 * The environment every `sky` the app runs gets, asked anew for each run so that a
 * saved setting applies without a restart of Carapace:
 * - Carapace's own, without the variables that make CPython another Python than
 *   SkyPilot's (a PYTHONHOME stops it at start-up: "Fatal Python error:
 *   init_fs_encoding"), as the installer drops them for uv;
 * - the network settings saved from the page; the CA bundle also as
 *   REQUESTS_CA_BUNDLE, the only one Python's `requests` reads (the Google and
 *   Azure clients use it; SSL_CERT_FILE alone is ignored by it);
 * - the team's API server as SKYPILOT_API_SERVER_ENDPOINT (sky/server/common.py),
 *   unless Carapace's own environment sets that variable, which then wins;
 * - without the variables naming sky's API server or config files when they are empty:
 *   sky takes a variable that is set as set, even empty (an empty server address, a
 *   config file '' that does not exist), where Carapace reads it as unset
 *   (src/status/api-server.ts) -- so that both read the same;
 * - PATH ending with the bin folder of sky's own environment, where the cloud extras
 *   put the command-line tools SkyPilot runs (`az` from azure-cli, `aws` from awscli):
 *   uv links only `sky` onto its bin folder. Last, so that the user's own tools win.
 */
import { realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { type Settings, TEAM_SERVER } from '../settings/settings.js';
import { findOnPath, isExecutable } from '../status/path.js';
import type { SkyLocation } from '../status/store.js';

/** What makes CPython look for another Python's library than its own (scripts/install-skypilot.sh, scrub_environment). */
export const PYTHON_VARIABLES = [
  'PYTHONHOME',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PYTHONUSERBASE',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
] as const;

/** sky reads these even when empty (sky/server/common.py, sky/skypilot_config.py: os.environ.get). */
const UNSET_WHEN_EMPTY = [
  'SKYPILOT_API_SERVER_ENDPOINT',
  'SKYPILOT_CONFIG',
  'SKYPILOT_GLOBAL_CONFIG',
  'SKYPILOT_PROJECT_CONFIG',
] as const;

/** The variables of sky's environment that the local API server keeps from its start (restart_pending compares them). */
export const API_SERVER_VARIABLES = ['HTTPS_PROXY', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'PATH'] as const;

export function skyEnvironment(env: NodeJS.ProcessEnv, settings: Settings, sky: string | null): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const name of PYTHON_VARIABLES) delete result[name];
  for (const name of UNSET_WHEN_EMPTY) if (result[name] === '') delete result[name];
  const proxy = settings.value('HTTPS_PROXY');
  if (proxy) result.HTTPS_PROXY = proxy;
  const bundle = settings.value('SSL_CERT_FILE');
  if (bundle) {
    result.SSL_CERT_FILE = bundle;
    if (!env.REQUESTS_CA_BUNDLE) result.REQUESTS_CA_BUNDLE = bundle;
  }
  const team = settings.value(TEAM_SERVER);
  if (team && !env.SKYPILOT_API_SERVER_ENDPOINT) result.SKYPILOT_API_SERVER_ENDPOINT = team;
  const tools = sky ? toolsOf(sky) : null;
  if (tools) result.PATH = result.PATH ? `${result.PATH}:${tools}` : tools;
  return result;
}

/** The bin folder of the environment a sky runs from (its link followed), or null. */
function toolsOf(sky: string): string | null {
  try {
    return dirname(realpathSync(sky));
  } catch {
    return null;
  }
}

/**
 * The AWS CLI that the aws extra put beside Carapace's sky, as a user can type it in a
 * terminal, when `aws` is not on their PATH: SkyPilot's reasons say "$ aws configure",
 * which fails there otherwise. Named through the `tools` link (the folder of sky's link,
 * tools/bin/sky), which an update or an Add switches, so that the path stays true. Null
 * for a sky installed outside Carapace, or when the user has an `aws` of their own.
 */
export function awsCliForUser(sky: SkyLocation, pathVariable: string | undefined): string | null {
  if (sky.source !== 'managed' || findOnPath('aws', pathVariable)) return null;
  const bin = toolsOf(sky.path);
  if (!bin || !isExecutable(join(bin, 'aws'))) return null;
  const link = dirname(dirname(sky.path));
  try {
    const target = realpathSync(link);
    if (bin.startsWith(target + sep)) return join(link, relative(target, bin), 'aws');
  } catch {
    // The link is being switched: the folder it pointed to names it as well.
  }
  return join(bin, 'aws');
}
