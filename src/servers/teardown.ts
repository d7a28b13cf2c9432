/**
 * Tear down: `sky down -y NAME`, which says "done" only when it is; anything else
 * is confirmed with `sky status NAME`, since `sky down` exits 0 on several failures
 * (src/sky/down.ts) and a cluster still listed still bills.
 */
import { invalidRequest } from '../errors.js';
import { parseSkyDown } from '../sky/down.js';
import { type SkyTarget, skyFailure } from '../sky/failure.js';
import { failedOutcome, type OperationContext, type Outcome } from '../sky/operations.js';
import { CLUSTER_NAME } from '../sky/task.js';
import type { ServersContext } from './context.js';
import { clusterNamed } from './list.js';
import { shown } from './request.js';

export async function tearDown(context: ServersContext, name: string): Promise<{ operation_id: string; name: string }> {
  if (!CLUSTER_NAME.test(name)) throw invalidRequest(`"${shown(name)}" is not a valid server name.`);
  const sky = await context.session.ensureSkyPilot(`teardown of ${name}`);
  const target: SkyTarget = { sky: sky.path, endpoint: context.apiServer() };
  const { id } = context.operations.start({
    kind: 'down',
    name,
    sky: sky.path,
    command: ['sky', 'down', '-y', '--', name],
    run: (operation) => down(operation, name, target),
  });
  return { operation_id: id, name };
}

/** SkyPilot's cluster statuses (sky/utils/status_lib.py, ClusterStatus) as a sentence says them. */
const STATUS_WORDS: Record<string, string> = { INIT: 'starting', UP: 'running', STOPPED: 'stopped' };

/** SkyPilot's reason as a sentence: one final period, whatever it ended with. */
function sentence(reason: string): string {
  return `${reason.replace(/[.\s]+$/, '')}.`;
}

async function down(context: OperationContext, name: string, target: SkyTarget): Promise<Outcome> {
  const result = await context.sky(['down', '-y', '--', name]);
  const report = parseSkyDown(name, result.stdout, result.stderr);
  const cluster = await clusterNamed(context, name);
  if (cluster) {
    const why =
      report.outcome === 'failed'
        ? report.reason
        : result.exitCode !== 0
          ? skyFailure('Tearing down', result.stdout, result.stderr, target).message
          : 'SkyPilot did not say why';
    return {
      ok: false,
      message: `Tearing down ${name} failed: ${sentence(why)} ${name} is still listed as ${STATUS_WORDS[cluster.status] ?? cluster.status.toLowerCase()} and may still be billing.`,
      hint: `Open ${name} in your cloud's console and remove what stops it from being deleted (SkyPilot's reason above, e.g. a termination protection), then tear it down again.`,
      code: 'sky-failed',
      exit_code: result.exitCode,
    };
  }
  if (result.exitCode !== 0 && report.outcome !== 'done') return failedOutcome(`Tearing down ${name}`, result, target);
  return {
    ok: true,
    message: report.outcome === 'not-found' ? `There is no server named ${name}.` : `Server ${name} was torn down.`,
    hint: null,
    code: null,
    exit_code: result.exitCode,
  };
}
