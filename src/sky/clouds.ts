/**
 * The clouds Carapace offers: the one list the launch form, the launch request's
 * check, `sky check`'s reader and "Add <cloud>" all use. Each is named as SkyPilot
 * names it: `id` in a task's `infra:` and as the extra of `skypilot[<id>]`
 * (sky/setup_files/dependencies.py), `name` as `sky check` prints it (the cloud
 * class's _REPR in sky/clouds/<cloud>.py).
 */
import type { CloudInfo } from '../api.js';

export const CLOUDS: readonly CloudInfo[] = [
  { id: 'aws', name: 'AWS' },
  { id: 'gcp', name: 'GCP' },
  { id: 'azure', name: 'Azure' },
  { id: 'kubernetes', name: 'Kubernetes' },
  { id: 'lambda', name: 'Lambda' },
  { id: 'runpod', name: 'RunPod' },
  { id: 'nebius', name: 'Nebius' },
  { id: 'oci', name: 'OCI' },
  { id: 'ibm', name: 'IBM' },
];

export const CLOUD_IDS: readonly string[] = CLOUDS.map((cloud) => cloud.id);

/** The extra of a cloud as `sky check` names it ("GCP" -> "gcp"), or null for one Carapace does not offer. */
export function extraOfCloud(name: string): string | null {
  return CLOUDS.find((cloud) => cloud.name === name)?.id ?? null;
}
