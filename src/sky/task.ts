/**
 * A launch request as SkyPilot takes it: a task YAML and the `sky launch` flags.
 *
 * The task file has no `name:`: SkyPilot's task names follow a stricter rule than
 * cluster names (sky/task.py: no three separators in a row, so `web---1` is a valid
 * cluster but an invalid task), and the cluster is named by `-c` anyway. Every
 * string is written as a quoted scalar, so that YAML never reads `yes`, `off` or
 * `null` as another type.
 */
import type { LaunchRequest } from '../api.js';

/** SkyPilot's cluster names (sky/utils/common_utils.py): a letter first, a letter or digit last; letters, digits, - _ . between. */
export const CLUSTER_NAME = /^[A-Za-z](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
/** A YAML scalar for a string: JSON's double-quoted form is valid YAML. */
const quoted = (value: string) => JSON.stringify(value);

export function taskYaml(request: LaunchRequest): string {
  const resources: string[] = [];
  if (request.cloud)
    resources.push(`  infra: ${quoted(request.region ? `${request.cloud}/${request.region}` : request.cloud)}`);
  if (request.cpus) resources.push(`  cpus: ${quoted(request.cpus)}`);
  if (request.memory) resources.push(`  memory: ${quoted(request.memory)}`);
  if (request.disk_size !== null) resources.push(`  disk_size: ${request.disk_size}`);
  if (request.use_spot) resources.push('  use_spot: true');
  if (request.ports.length) resources.push(`  ports: [${request.ports.map(quoted).join(', ')}]`);
  return [
    '# Written by Carapace for "Launch Server".',
    ...(resources.length ? ['resources:', ...resources] : []),
    `run: ${quoted(`echo "Carapace server ${request.name} is up"`)}`,
    '',
  ].join('\n');
}

/** The arguments of `sky launch` for a request, after `launch` and before the task file. */
export function launchFlags(request: LaunchRequest): string[] {
  const flags = ['-y', '-c', request.name];
  if (request.autostop) {
    flags.push('-i', String(request.autostop.idle_minutes));
    if (request.autostop.down) flags.push('--down');
  }
  if (request.dryrun) flags.push('--dryrun');
  return flags;
}
