/**
 * "Launch Server" requests (POST /servers), checked against SkyPilot's rules
 * before anything runs: an unknown field, a name SkyPilot would refuse, a cloud
 * Carapace does not offer, a value of the wrong kind, or an autostop the cloud
 * cannot do is a 400 that says which.
 *
 * Autostop (sky/execution.py, autostop_requested_features): stopping an idle server
 * needs the cloud's STOP feature, tearing it down its AUTODOWN feature (src/sky/clouds.ts).
 * "Stop" is taken only with a cloud that can stop servers of the kind asked for (spot
 * or not): without a cloud, SkyPilot would quietly leave out every cloud that cannot.
 * "Tear down" is taken without a cloud (SkyPilot's optimizer then leaves out the one
 * offered cloud that cannot, Nebius) or with one that can: the default that works
 * everywhere.
 */
import type { Autostop, CloudInfo, LaunchRequest } from '../api.js';
import { invalidRequest } from '../errors.js';
import { CLOUD_IDS, CLOUDS } from '../sky/clouds.js';
import { CLUSTER_NAME } from '../sky/task.js';

const REGION = /^[a-z0-9][a-z0-9-]{0,39}$/;
/**
 * A Kubernetes "region" is a kubeconfig context name (sky/clouds/kubernetes.py,
 * validate_region_zone), such as gke_project_us-central1-c_name or
 * arn:aws:eks:us-west-2:111111111111:cluster/team; after `kubernetes/` in `infra:` all
 * of it is the context, slashes included (sky/utils/infra_utils.py, InfraInfo.from_str).
 */
const KUBERNETES_CONTEXT = /^(?=.{1,253}$)[A-Za-z0-9._:@-]+(?:\/[A-Za-z0-9._:@-]+)*$/;
const AMOUNT = /^[0-9]{1,4}(?:\.[0-9]{1,2})?\+?$/; // "2", "2+", "0.5", "16+"
const PORT_RANGE = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/;
const FIELDS = new Set([
  'name',
  'cloud',
  'region',
  'cpus',
  'memory',
  'disk_size',
  'use_spot',
  'ports',
  'autostop',
  'dryrun',
]);

/** Shows a value the client sent in a message, whatever its type (never calls its toString). */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 80)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
}

export function parseLaunchRequest(body: unknown): LaunchRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object such as {"name": "my-server"}.');
  }
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length) {
    throw invalidRequest(`Unknown field(s): ${unknown.map(shown).join(', ')}.`, `Use only: ${[...FIELDS].join(', ')}.`);
  }
  const name = input.name;
  if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
    throw invalidRequest(
      `"${shown(name)}" is not a valid server name.`,
      'Use 1-63 letters, digits, "-", "_" or ".", starting with a letter and ending with a letter or digit.',
    );
  }
  const cloud = optionalString(input.cloud, 'cloud');
  if (cloud !== null && !CLOUD_IDS.includes(cloud)) {
    throw invalidRequest(`"${cloud}" is not a cloud SkyPilot can launch on.`, `Use one of: ${CLOUD_IDS.join(', ')}.`);
  }
  const region = optionalString(input.region, 'region');
  if (region !== null && cloud === 'kubernetes' && !KUBERNETES_CONTEXT.test(region)) {
    throw invalidRequest(
      `"${shown(region)}" is not a kubeconfig context name.`,
      'For Kubernetes the region is the name of a context in your kubeconfig (kubectl config get-contexts).',
    );
  }
  if (region !== null && cloud !== 'kubernetes' && !REGION.test(region))
    throw invalidRequest(`"${region}" is not a region name.`, 'Use a name such as us-east-1.');
  if (region !== null && cloud === null)
    throw invalidRequest('A region needs a cloud.', 'Set "cloud" too, e.g. "aws".');
  const useSpot = flag(input.use_spot, 'use_spot');
  const idle = autostop(input.autostop);
  if (idle) supportedAutostop(idle, CLOUDS.find((offered) => offered.id === cloud) ?? null, useSpot);
  return {
    name,
    cloud,
    region,
    cpus: amount(input.cpus, 'cpus'),
    memory: amount(input.memory, 'memory'),
    disk_size: diskSize(input.disk_size),
    use_spot: useSpot,
    ports: ports(input.ports),
    autostop: idle,
    dryrun: flag(input.dryrun, 'dryrun'),
  };
}

/** Refuses an autostop the cloud cannot do, as SkyPilot would only once the launch runs. */
function supportedAutostop(idle: Autostop, cloud: CloudInfo | null, useSpot: boolean): void {
  const kind = useSpot ? 'spot' : 'on-demand';
  if (idle.down) {
    if (cloud === null || cloud.can_autodown) return;
    throw invalidRequest(
      `${cloud.name} cannot tear servers down when idle (SkyPilot: autodown is not supported there).`,
      cloud.can_stop[useSpot ? 'spot' : 'on_demand']
        ? `Choose "stop when idle" for ${cloud.name}, or no autostop.`
        : `Choose no autostop for ${cloud.name}, and tear the server down yourself.`,
    );
  }
  if (cloud === null) {
    throw invalidRequest(
      'Stopping an idle server needs a cloud that can stop servers, and no cloud was chosen.',
      'Choose "tear down when idle", which works on every cloud, or choose a cloud that can stop servers.',
    );
  }
  if (cloud.can_stop[useSpot ? 'spot' : 'on_demand']) return;
  throw invalidRequest(
    `${cloud.name} cannot stop ${kind} servers (SkyPilot: stopping is not supported there), so "stop when idle" cannot be kept.`,
    cloud.can_autodown
      ? `Choose "tear down when idle" for ${cloud.name}: the server and its disk are deleted when idle.`
      : `Choose no autostop for ${cloud.name}.`,
  );
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalidRequest(`"${field}" must be a string.`);
  return value;
}

function amount(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !AMOUNT.test(text) || Number.parseFloat(text) <= 0) {
    throw invalidRequest(`"${field}" must be a positive number, optionally followed by "+" (e.g. 2 or "4+").`);
  }
  return text;
}

function diskSize(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 10 || value > 65536) {
    throw invalidRequest('"disk_size" must be a whole number of GB between 10 and 65536.');
  }
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidRequest(`"${field}" must be true or false.`);
  return value;
}

function autostop(value: unknown): Autostop | null {
  if (value === undefined || value === null || value === false) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('"autostop" must be null or an object such as {"idle_minutes": 60, "down": false}.');
  }
  const { idle_minutes: minutes, down, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) throw invalidRequest('"autostop" takes only "idle_minutes" and "down".');
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 10080) {
    throw invalidRequest('"autostop.idle_minutes" must be a whole number of minutes from 1 to 10080 (a week).');
  }
  return { idle_minutes: minutes, down: flag(down, 'autostop.down') };
}

function ports(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 20) throw invalidRequest('At most 20 ports or port ranges.');
  return list.map((item: unknown) => {
    const text = typeof item === 'number' || typeof item === 'string' ? String(item) : null;
    const match = text === null ? null : PORT_RANGE.exec(text);
    const low = Number(match?.[1]);
    const high = match?.[2] === undefined ? low : Number(match[2]);
    if (!match || text === null || low < 1 || high > 65535 || high < low) {
      throw invalidRequest(`"${shown(item)}" is not a port or port range (1-65535, e.g. 8080 or "8000-8010").`);
    }
    return text;
  });
}
