/**
 * Launch Server: the request checked, SkyPilot installed if it is missing, the
 * task file written, then `sky launch --async` submitted to SkyPilot's API server
 * and followed with `sky api logs` -- or, for a preview, `sky launch --dryrun`.
 * A launch can be cancelled through SkyPilot's request id.
 *
 * With a team's API server the launch runs there, with its libraries, credentials and
 * tools (sky/server/requests/executor.py): nothing is refused for a cloud extra or a
 * program (ssh, rsync) missing on this machine.
 */
import type { LaunchRequest } from '../api.js';
import { CarapaceError, invalidRequest } from '../errors.js';
import { needsOwnLibraries } from '../sky/clouds.js';
import type { SkyTarget } from '../sky/failure.js';
import { parseLaunchRequestId, wasCancelled } from '../sky/launch.js';
import { failedOutcome, type OperationContext, type Outcome, outcomeError } from '../sky/operations.js';
import { launchFlags } from '../sky/task.js';
import { plainText } from '../sky/text.js';
import { findOnPath } from '../status/path.js';
import type { ServersContext } from './context.js';
import { clusterNamed } from './list.js';
import { parseLaunchRequest } from './request.js';
import { writeTaskFile } from './task-file.js';

export async function launchServer(
  context: ServersContext,
  body: unknown,
): Promise<{ operation_id: string; name: string; task_file: string }> {
  const request = parseLaunchRequest(body);
  const team = context.apiServer().team;
  if (!team) {
    refuseCloudWithoutLibraries(context, request);
    if (!request.dryrun && context.needsSshTools) refuseWithoutSshTools(context.env);
  }
  const sky = await context.session.ensureSkyPilot(`launch of ${request.name}`, request.dryrun ? null : request.name);
  if (!team) refuseCloudWithoutLibraries(context, request);
  const taskFile = writeTaskFile(context.layout, request);
  const flags = launchFlags(request);
  const command = request.dryrun ? ['launch', ...flags, taskFile] : ['launch', '--async', ...flags, taskFile];
  const target: SkyTarget = { sky: sky.path, endpoint: context.apiServer() };
  const { id } = context.operations.start({
    kind: 'launch',
    name: request.name,
    sky: sky.path,
    command: ['sky', ...command],
    run: (operation) =>
      request.dryrun ? preview(operation, request, command, target) : launch(operation, request, command, target),
  });
  return { operation_id: id, name: request.name, task_file: taskFile };
}

/** Cancels a launch in progress through SkyPilot (`sky api cancel -- <request id>`). */
export async function cancelLaunch(
  { operations, store, runner, apiServer }: ServersContext,
  operationId: string,
): Promise<{ operation_id: string; message: string }> {
  const operation = operations.get(operationId);
  const sky = store.skyLocation();
  if (operation?.kind !== 'launch' || !operation.request_id || !sky) {
    throw new CarapaceError(
      'not-found',
      'There is no launch in progress with that id that can be cancelled.',
      'Refresh the page to see what is running.',
      404,
    );
  }
  const result = await runner.run(sky.path, ['api', 'cancel', '--', operation.request_id]).result;
  if (result.exitCode !== 0) {
    throw outcomeError(failedOutcome('Cancelling the launch', result, { sky: sky.path, endpoint: apiServer() }));
  }
  const said = plainText(result.stdout).trim().split('\n').at(-1) ?? '';
  return {
    operation_id: operationId,
    message: /^Cancelled/.test(said)
      ? `SkyPilot cancelled the launch of ${operation.name} (${said}).`
      : `SkyPilot had nothing to cancel for ${operation.name}: the launch had already ended.`,
  };
}

async function preview(
  context: OperationContext,
  request: LaunchRequest,
  command: string[],
  target: SkyTarget,
): Promise<Outcome> {
  const result = await context.sky(command);
  if (result.exitCode !== 0) return failedOutcome(`The preview of ${request.name}`, result, target);
  const message = `Preview of ${request.name} finished: nothing was launched.`;
  return { ok: true, message, hint: null, code: null, exit_code: 0 };
}

/**
 * An async launch: submitted to SkyPilot's API server, which runs it to the end
 * whatever happens to Carapace; followed with `sky api logs`; cancellable with its
 * request id; and confirmed with `sky status` before it is called up. `sky api logs`
 * exits 0, or 1 when the request raised (sky/client/sdk.py, stream_and_get): its exit
 * status is no job's, so the cluster's state in `sky status` says how it ended.
 */
async function launch(
  context: OperationContext,
  request: LaunchRequest,
  command: string[],
  target: SkyTarget,
): Promise<Outcome> {
  const submitted = await context.sky(command);
  const requestId = parseLaunchRequestId(submitted.stdout);
  if (submitted.exitCode !== 0 || !requestId) return failedOutcome(`The launch of ${request.name}`, submitted, target);
  context.cancellable(requestId);
  const followed = await context.sky(['api', 'logs', '--', requestId], { unqueued: true });
  if (context.stopping) {
    return {
      ok: false,
      message: `Carapace stopped following the launch of ${request.name}; it goes on in SkyPilot and will show in the servers list.`,
      hint: null,
      code: null,
      exit_code: null,
    };
  }
  const cluster = await clusterNamed(context, request.name);
  if (wasCancelled(followed.stdout, followed.stderr)) {
    return {
      ok: false,
      message: cluster
        ? `The launch of ${request.name} was cancelled, but ${request.name} is listed (${cluster.status}) and may be billing: tear it down.`
        : `The launch of ${request.name} was cancelled; nothing was left running.`,
      hint: cluster ? `Tear down ${request.name} in the Servers list.` : null,
      code: 'sky-failed',
      exit_code: followed.exitCode,
    };
  }
  if (followed.exitCode !== 0) {
    const failure = failedOutcome(`The launch of ${request.name}`, followed, target);
    const left = cluster ? ` ${request.name} is listed (${cluster.status}) and may be billing: tear it down.` : '';
    return { ...failure, message: `${failure.message}${left}` };
  }
  if (cluster?.status === 'UP') {
    return { ok: true, message: `Server ${request.name} is up.`, hint: null, code: null, exit_code: 0 };
  }
  return {
    ok: false,
    message: cluster
      ? `The launch of ${request.name} ended, but it is ${cluster.status}, not UP.`
      : `The launch of ${request.name} ended, but SkyPilot does not list it.`,
    hint: 'See the output in the activity log; tear the server down if it is listed.',
    code: 'sky-failed',
    exit_code: 0,
  };
}

/**
 * Only clouds whose SkyPilot libraries are installed can be launched on (skypilot[<cloud>]);
 * a cloud whose extra brings none (Lambda, ...) needs only its credentials.
 */
function refuseCloudWithoutLibraries({ store }: ServersContext, request: LaunchRequest): void {
  const extras = store.status().extras;
  if (!request.cloud || extras === null || extras.includes(request.cloud) || !needsOwnLibraries(request.cloud)) return;
  throw invalidRequest(
    `SkyPilot's libraries for ${request.cloud} are not installed in Carapace (it has: ${extras.join(', ') || 'none'}).`,
    `Add ${request.cloud} in the Clouds list first, or choose one of: ${extras.join(', ')}.`,
  );
}

/** What a real `sky launch` runs on this machine (sky/utils/command_runner.py) and is not on PATH. */
export function missingLaunchTools(env: NodeJS.ProcessEnv): string[] {
  return ['ssh', 'rsync'].filter((tool) => !findOnPath(tool, env.PATH));
}

function refuseWithoutSshTools(env: NodeJS.ProcessEnv): void {
  const missing = missingLaunchTools(env);
  if (missing.length === 0) return;
  throw new CarapaceError(
    'missing-tool',
    `Launching a server needs ${missing.join(' and ')} on this machine, and ${missing.length > 1 ? 'they are' : 'it is'} missing.`,
    `Install ${missing.map((tool) => (tool === 'ssh' ? 'openssh-client (ssh)' : tool)).join(' and ')} with your system's package manager, then launch again. Check Clouds and "preview only" work without.`,
    400,
  );
}
