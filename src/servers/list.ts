/**
 * The servers: the clusters `sky status` lists. Reading them never installs
 * anything (a GET has no side effects): without SkyPilot there are none to show.
 *
 * With a team's API server, everyone's clusters with whose each is: `sky status -u`
 * (sky/client/cli/command.py, status: without -u only the caller's are listed).
 * `sky status --refresh` asks the clouds for the latest statuses (autostopped
 * servers show STOPPED); it is slower, so only on request (?refresh=true).
 */
import type { Cluster, ServersAnswer } from '../api.js';
import { CarapaceError } from '../errors.js';
import { failedOutcome, type OperationContext, outcomeError } from '../sky/operations.js';
import { parseSkyStatus, SkyOutputError } from '../sky/status.js';
import type { ServersContext } from './context.js';

export async function listServers(
  { session, store, runner, apiServer }: ServersContext,
  { refresh }: { refresh: boolean },
): Promise<ServersAnswer> {
  await session.settled();
  const sky = store.skyLocation();
  if (!sky) return { installed: false, servers: [], all_users: false, read_at: null, refreshed: false };
  const endpoint = apiServer();
  const args = ['status', ...(endpoint.team ? ['--all-users'] : []), ...(refresh ? ['--refresh'] : [])];
  const result = await runner.run(sky.path, args, { readOnly: true }).result;
  if (result.exitCode !== 0)
    throw outcomeError(failedOutcome('Listing the servers', result, { sky: sky.path, endpoint }));
  const readAt = new Date().toISOString();
  try {
    return {
      installed: true,
      servers: parseSkyStatus(result.stdout),
      all_users: endpoint.team,
      read_at: readAt,
      refreshed: refresh,
    };
  } catch (error) {
    if (error instanceof SkyOutputError) {
      throw new CarapaceError(
        'sky-failed',
        error.message,
        'Check that the SkyPilot in use is supported (docs/installer.md says which are).',
        502,
      );
    }
    throw error;
  }
}

/**
 * The cluster `sky status -- NAME` lists (whoever's it is: a named cluster is looked up
 * across users), or null; an unreadable answer counts as listed (never report gone unseen).
 */
export async function clusterNamed(context: OperationContext, name: string): Promise<Cluster | null> {
  const result = await context.sky(['status', '--', name]);
  try {
    if (result.exitCode !== 0) throw new SkyOutputError('sky status failed');
    return parseSkyStatus(result.stdout).find((cluster) => cluster.name === name) ?? null;
  } catch {
    return {
      name,
      infra: '',
      resources: '',
      status: 'status unknown',
      autostop: '',
      launched: '',
      workspace: null,
      user: null,
    };
  }
}
