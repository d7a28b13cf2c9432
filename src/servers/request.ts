/**
 * "Launch Server" requests (POST /servers), checked against SkyPilot's rules
 * before anything runs: an unknown field, a name SkyPilot would refuse, a cloud
 * Carapace does not offer, or a value of the wrong kind is a 400 that says which.
 */
import type { Autostop, LaunchRequest } from '../api.js';
import { invalidRequest } from '../errors.js';
import { CLOUD_IDS } from '../sky/clouds.js';
import { CLUSTER_NAME } from '../sky/task.js';

const REGION = /^[a-z0-9][a-z0-9-]{0,39}$/;
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
    autostop: autostop(input.autostop),
    dryrun: flag(input.dryrun, 'dryrun'),
  };
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
