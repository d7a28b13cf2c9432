/**
 * "Launch Server" requests: validated against SkyPilot's rules before anything
 * runs, then written as a SkyPilot task YAML. Every value that reaches the YAML
 * has passed a strict pattern, so the file cannot be bent by user input.
 */
import { invalidRequest } from '../errors.js';

export interface LaunchRequest {
  name: string;
  cloud: string | null;
  region: string | null;
  cpus: string | null;
  memory: string | null;
  disk_size: number | null;
  use_spot: boolean;
  ports: string[];
  dryrun: boolean;
}

/** SkyPilot's cluster names: start with a letter, end with a letter or digit; letters, digits, - _ . between. */
export const CLUSTER_NAME = /^[A-Za-z](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
export const CLOUDS = ['aws', 'gcp', 'azure', 'kubernetes', 'lambda', 'runpod', 'oci', 'ibm', 'nebius'] as const;
const REGION = /^[a-z0-9][a-z0-9-]{0,39}$/;
const AMOUNT = /^[0-9]{1,4}(?:\.[0-9]{1,2})?\+?$/; // "2", "2+", "0.5", "16+"
const PORT_RANGE = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/;
const FIELDS = new Set(['name', 'cloud', 'region', 'cpus', 'memory', 'disk_size', 'use_spot', 'ports', 'dryrun']);

export function parseLaunchRequest(body: unknown): LaunchRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object such as {"name": "my-server"}.');
  }
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length)
    throw invalidRequest(`Unknown field(s): ${unknown.join(', ')}.`, `Use only: ${[...FIELDS].join(', ')}.`);

  const name = input.name;
  if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
    throw invalidRequest(
      `"${String(name)}" is not a valid server name.`,
      'Use 1-63 letters, digits, "-", "_" or ".", starting with a letter and ending with a letter or digit.',
    );
  }
  const cloud = optionalString(input.cloud, 'cloud');
  if (cloud !== null && !(CLOUDS as readonly string[]).includes(cloud)) {
    throw invalidRequest(`"${cloud}" is not a cloud SkyPilot can launch on.`, `Use one of: ${CLOUDS.join(', ')}.`);
  }
  const region = optionalString(input.region, 'region');
  if (region !== null && !REGION.test(region))
    throw invalidRequest(`"${region}" is not a region name.`, 'Use a name such as us-east-1.');
  if (region !== null && cloud === null)
    throw invalidRequest('A region needs a cloud.', 'Set "cloud" too, e.g. "aws".');
  return {
    name,
    cloud,
    region,
    cpus: amount(input.cpus, 'cpus'),
    memory: amount(input.memory, 'memory'),
    disk_size: diskSize(input.disk_size),
    use_spot: flag(input.use_spot, 'use_spot'),
    ports: ports(input.ports),
    dryrun: flag(input.dryrun, 'dryrun'),
  };
}

export function taskYaml(request: LaunchRequest): string {
  const resources: string[] = [];
  if (request.cloud) resources.push(`  infra: ${request.cloud}${request.region ? `/${request.region}` : ''}`);
  if (request.cpus) resources.push(`  cpus: "${request.cpus}"`);
  if (request.memory) resources.push(`  memory: "${request.memory}"`);
  if (request.disk_size !== null) resources.push(`  disk_size: ${request.disk_size}`);
  if (request.use_spot) resources.push('  use_spot: true');
  if (request.ports.length) resources.push(`  ports: [${request.ports.map((p) => `"${p}"`).join(', ')}]`);
  return [
    '# Written by Carapace for "Launch Server".',
    `name: ${request.name}`,
    ...(resources.length ? ['resources:', ...resources] : []),
    'run: |',
    `  echo "Carapace server ${request.name} is up"`,
    '',
  ].join('\n');
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

function ports(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 20) throw invalidRequest('At most 20 ports or port ranges.');
  return list.map((item) => {
    const match = PORT_RANGE.exec(String(item));
    const low = Number(match?.[1]);
    const high = match?.[2] === undefined ? low : Number(match[2]);
    if (!match || (typeof item !== 'number' && typeof item !== 'string') || low < 1 || high > 65535 || high < low) {
      throw invalidRequest(`"${String(item)}" is not a port or port range (1-65535, e.g. 8080 or "8000-8010").`);
    }
    return String(item);
  });
}
