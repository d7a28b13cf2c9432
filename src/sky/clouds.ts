/**
 * The clouds Carapace offers: the one list the launch form, the launch request's
 * check, `sky check`'s reader and "Add <cloud>" all use. Each is named as SkyPilot
 * names it: `id` in a task's `infra:` and as the extra of `skypilot[<id>]`, `name`
 * as `sky check` prints it (the cloud class's _REPR in sky/clouds/<cloud>.py).
 *
 * Read from skypilot-org/skypilot at commit 786d6839 (sky/setup_files/dependencies.py:
 * the index stores 392 versions of that file but names only this one, so no other can be
 * opened) and the newest sky/clouds/*.py the project's source index holds (see
 * test/standins/README.md for the commit of each). A newer dependencies.py, in the
 * FreCap/skypilot copy of the repository at 32f0fa3e, adds the extras huggingface,
 * vastdata, mithril, slurm, yotta and verda: none is a cloud Carapace offers.
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

/**
 * The extras that bring no library of their own (`[]` in cloud_dependencies): their
 * cloud works with any install, so a check that fails there is never about libraries.
 */
const EXTRAS_WITHOUT_LIBRARIES: readonly string[] = [
  'lambda',
  'fluidstack',
  'paperspace',
  'primeintellect',
  'hyperbolic',
  'shadeform',
];

/** Whether a cloud needs libraries an install without its extra lacks. */
export function needsOwnLibraries(id: string): boolean {
  return SKYPILOT_CLOUD_EXTRAS.includes(id) && !EXTRAS_WITHOUT_LIBRARIES.includes(id);
}

/**
 * What autostop can do on a cloud: autostop_requested_features (sky/execution_autostop.py,
 * re-exported by sky/execution.py) asks a cloud for STOP and AUTOSTOP when idle servers
 * are to be stopped, and for AUTODOWN when they are to be torn down; each cloud says what
 * it does not support in sky/clouds/<cloud>.py (_CLOUD_UNSUPPORTED_FEATURES,
 * _unsupported_features_for_resources):
 * - AWS, Azure, OCI, IBM: no STOP for spot instances ("Stopping spot instances is
 *   currently not supported on <cloud>.");
 * - GCP: STOP for on-demand and spot (not for TPU VMs or MIG clusters, which Carapace
 *   does not launch);
 * - Kubernetes (the newest kubernetes.py: neither STOP, "Stopping clusters is not
 *   supported on Kubernetes.", nor AUTOSTOP, "Auto-stop is not supported on
 *   Kubernetes."), Lambda (at 8f38c101), RunPod (at 74da432b): no STOP at all;
 * - Nebius (at 2905f399): no AUTODOWN ("Can't delete OS disk."), and no spot instances.
 * The others are the newest versions the source index holds (test/standins/README.md).
 */
interface Autostop {
  can_stop: CloudInfo['can_stop'];
  can_autodown: boolean;
}
const STOPS_ON_DEMAND: Autostop = { can_stop: { on_demand: true, spot: false }, can_autodown: true };
const STOPS_ALWAYS: Autostop = { can_stop: { on_demand: true, spot: true }, can_autodown: true };
const NEVER_STOPS: Autostop = { can_stop: { on_demand: false, spot: false }, can_autodown: true };
const NEVER_TEARS_DOWN: Autostop = { can_stop: { on_demand: true, spot: false }, can_autodown: false };

/** A cloud as offered: SkyPilot's id and _REPR name; "Add <cloud>" only where the id is a real extra. */
function offered(id: string, name: string, autostop: Autostop): CloudInfo {
  return { id, name, addable: SKYPILOT_CLOUD_EXTRAS.includes(id), ...autostop };
}

export const CLOUDS: readonly CloudInfo[] = [
  offered('aws', 'AWS', STOPS_ON_DEMAND),
  offered('gcp', 'GCP', STOPS_ALWAYS),
  offered('azure', 'Azure', STOPS_ON_DEMAND),
  offered('kubernetes', 'Kubernetes', NEVER_STOPS),
  offered('lambda', 'Lambda', NEVER_STOPS),
  offered('runpod', 'RunPod', NEVER_STOPS),
  offered('nebius', 'Nebius', NEVER_TEARS_DOWN),
  offered('oci', 'OCI', STOPS_ON_DEMAND),
  offered('ibm', 'IBM', STOPS_ON_DEMAND),
];

export const CLOUD_IDS: readonly string[] = CLOUDS.map((cloud) => cloud.id);

/** The clouds "Add <cloud>" offers, and the only names the enable route and the installer's --add-cloud take. */
export const ADDABLE_CLOUD_IDS: readonly string[] = CLOUDS.filter((cloud) => cloud.addable).map((cloud) => cloud.id);

/** The extra of a cloud as `sky check` names it ("GCP" -> "gcp"), or null for one Carapace cannot add. */
export function extraOfCloud(name: string): string | null {
  const cloud = CLOUDS.find((known) => known.name === name);
  return cloud?.addable ? cloud.id : null;
}
