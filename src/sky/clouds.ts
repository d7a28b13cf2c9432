/**
 * The clouds Carapace offers: the one list the launch form, the launch request's
 * check, `sky check`'s reader and "Add <cloud>" all use. Each is named as SkyPilot
 * names it: `id` in a task's `infra:` and as the extra of `skypilot[<id>]`, `name`
 * as `sky check` prints it (the cloud class's _REPR in sky/clouds/<cloud>.py).
 *
 * Read from skypilot-org/skypilot at commit 786d6839 (sky/setup_files/dependencies.py)
 * and the newest sky/clouds/*.py the project's source index holds (see
 * test/standins/README.md for the commit of each).
 */
import type { CloudInfo } from '../api.js';

/**
 * The cloud extras SkyPilot declares (sky/setup_files/dependencies.py, the keys of
 * `cloud_dependencies`; `all`, `remote` and `server` are not clouds). uv installs an
 * unknown extra with only a warning, so nothing else may be asked of the installer.
 */
export const SKYPILOT_CLOUD_EXTRAS: readonly string[] = [
  'aws',
  'azure',
  'gcp',
  'ibm',
  'docker',
  'lambda',
  'cloudflare',
  'coreweave',
  'scp',
  'oci',
  'kubernetes',
  'ssh',
  'runpod',
  'fluidstack',
  'cudo',
  'paperspace',
  'primeintellect',
  'do',
  'vast',
  'vsphere',
  'nebius',
  'hyperbolic',
  'seeweb',
  'shadeform',
];

/** Until each is read from sky/clouds/<cloud>.py: spot servers never stop; Lambda and Kubernetes do not either. */
const STOPS = { on_demand: true, spot: false };
const NEVER_STOPS = { on_demand: false, spot: false };

/** A cloud as offered: SkyPilot's id and _REPR name; "Add <cloud>" only where the id is a real extra. */
function offered(id: string, name: string, can_stop: CloudInfo['can_stop']): CloudInfo {
  return { id, name, addable: SKYPILOT_CLOUD_EXTRAS.includes(id), can_stop };
}

export const CLOUDS: readonly CloudInfo[] = [
  offered('aws', 'AWS', STOPS),
  offered('gcp', 'GCP', STOPS),
  offered('azure', 'Azure', STOPS),
  offered('kubernetes', 'Kubernetes', NEVER_STOPS),
  offered('lambda', 'Lambda', NEVER_STOPS),
  offered('runpod', 'RunPod', STOPS),
  offered('nebius', 'Nebius', STOPS),
  offered('oci', 'OCI', STOPS),
  offered('ibm', 'IBM', STOPS),
];

export const CLOUD_IDS: readonly string[] = CLOUDS.map((cloud) => cloud.id);

/** The clouds "Add <cloud>" offers, and the only names the enable route and the installer's --add-cloud take. */
export const ADDABLE_CLOUD_IDS: readonly string[] = CLOUDS.filter((cloud) => cloud.addable).map((cloud) => cloud.id);

/** The extra of a cloud as `sky check` names it ("GCP" -> "gcp"), or null for one Carapace cannot add. */
export function extraOfCloud(name: string): string | null {
  const cloud = CLOUDS.find((known) => known.name === name);
  return cloud?.addable ? cloud.id : null;
}
