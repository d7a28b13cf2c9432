/**
 * The clouds Carapace offers: the one list the launch form, the launch request's
 * check, `sky check`'s reader and "Add <cloud>" all use. Each is named as SkyPilot
 * names it: `id` in a task's `infra:` and as the extra of `skypilot[<id>]`
 * (sky/setup_files/dependencies.py), `name` as `sky check` prints it (the cloud
 * class's _REPR in sky/clouds/<cloud>.py).
 */
import type { CloudInfo } from '../api.js';

/** Until each is read from sky/clouds/<cloud>.py: spot servers never stop; Lambda and Kubernetes do not either. */
const STOPS = { on_demand: true, spot: false };
const NEVER_STOPS = { on_demand: false, spot: false };

export const CLOUDS: readonly CloudInfo[] = [
  { id: 'aws', name: 'AWS', addable: true, can_stop: STOPS },
  { id: 'gcp', name: 'GCP', addable: true, can_stop: STOPS },
  { id: 'azure', name: 'Azure', addable: true, can_stop: STOPS },
  { id: 'kubernetes', name: 'Kubernetes', addable: true, can_stop: NEVER_STOPS },
  { id: 'lambda', name: 'Lambda', addable: true, can_stop: NEVER_STOPS },
  { id: 'runpod', name: 'RunPod', addable: true, can_stop: STOPS },
  { id: 'nebius', name: 'Nebius', addable: true, can_stop: STOPS },
  { id: 'oci', name: 'OCI', addable: true, can_stop: STOPS },
  { id: 'ibm', name: 'IBM', addable: true, can_stop: STOPS },
];

export const CLOUD_IDS: readonly string[] = CLOUDS.map((cloud) => cloud.id);

/** The extra of a cloud as `sky check` names it ("GCP" -> "gcp"), or null for one Carapace does not offer. */
export function extraOfCloud(name: string): string | null {
  return CLOUDS.find((cloud) => cloud.name === name)?.id ?? null;
}
