/**
 * The cloud actions behind the buttons. Each that needs SkyPilot first awaits
 * ensureSkyPilot() -- installing it if it is missing -- then runs `sky`. Reading
 * the servers never installs anything (a GET has no side effects).
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { CloudCheckAnswer, CloudEnableAnswer, Cluster, ServersAnswer } from './api.js';
import type { Layout } from './contract.js';
import { CarapaceError, invalidRequest } from './errors.js';
import type { Lifecycle } from './installer/lifecycle.js';
import type { InstallSession } from './installer/session.js';
import type { OperationContext, OperationRegistry, Outcome } from './operations/registry.js';
import type { ProcessResult } from './process/run.js';
import { type CloudCheck, extraOfCloud, inCarapaceWords, parseSkyCheck } from './sky/check.js';
import { parseSkyDown } from './sky/down.js';
import { skyFailure } from './sky/failure.js';
import { LAUNCH_EXIT, parseLaunchRequestId, wasCancelled } from './sky/launch.js';
import type { SkyRunner } from './sky/runner.js';
import { parseSkyStatus, SkyOutputError } from './sky/status.js';
import {
  CLOUDS,
  CLUSTER_NAME,
  type LaunchRequest,
  launchFlags,
  parseLaunchRequest,
  shown,
  taskYaml,
} from './sky/task.js';
import { plainText } from './sky/text.js';
import { findOnPath } from './status/path.js';
import type { StatusStore } from './status/store.js';

export interface ActionsOptions {
  session: InstallSession;
  lifecycle: Lifecycle;
  store: StatusStore;
  operations: OperationRegistry;
  runner: SkyRunner;
  layout: Layout;
  env: NodeJS.ProcessEnv;
  /** The team's API server every sky run uses, if one is set. */
  teamServer(): string | null;
}

export class CloudActions {
  /** The check running now: clicks meanwhile (200 at once, say) get its answer, not a run each. */
  private checking: Promise<CloudCheckAnswer> | null = null;

  constructor(private readonly options: ActionsOptions) {}

  checkClouds(): Promise<CloudCheckAnswer> {
    this.checking ??= this.runCheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private runCheck(): Promise<CloudCheckAnswer> {
    return this.skyCheck(null);
  }

  /**
   * Adds a cloud's SkyPilot libraries (the installer's --add-cloud), then checks
   * that cloud alone (`sky check <cloud>`), so that the page can say what it still needs.
   */
  async enableCloud(cloud: string): Promise<CloudEnableAnswer> {
    if (!(CLOUDS as readonly string[]).includes(cloud)) {
      throw new CarapaceError(
        'not-found',
        `"${shown(cloud)}" is not a cloud Carapace can add.`,
        `Use one of: ${CLOUDS.join(', ')}.`,
        404,
      );
    }
    await this.options.lifecycle.addCloud(cloud);
    const check = await this.skyCheck(cloud);
    return { cloud, enabled: check.enabled.some((found) => extraOfCloud(found.name) === cloud), check };
  }

  /** `sky check` (of one cloud, or all) as an operation; its answer in Carapace's words. */
  private async skyCheck(cloud: string | null): Promise<CloudCheckAnswer> {
    const { session, operations, store } = this.options;
    const sky = await session.ensureSkyPilot();
    const args = cloud ? ['check', cloud] : ['check'];
    let check: CloudCheck | null = null;
    const { done } = operations.start({
      kind: 'check',
      name: cloud,
      sky: sky.path,
      command: ['sky', ...args],
      run: async (context) => {
        const result = await context.sky(args);
        if (result.exitCode !== 0) return this.failed(cloud ? `Checking ${cloud}` : 'The cloud check', result);
        check = parseSkyCheck(result.stdout);
        const message = cloud ? `Checked ${cloud}.` : 'Cloud check finished.';
        return { ok: true, message, hint: null, code: null, exit_code: 0 };
      },
    });
    const outcome = await done;
    if (!outcome.ok || !check) throw this.asError(outcome);
    const answer: CloudCheck = check;
    return { ...answer, disabled: inCarapaceWords(answer, store.status().extras) };
  }

  async launchServer(body: unknown): Promise<{ operation_id: string; name: string; task_file: string }> {
    const request = parseLaunchRequest(body);
    this.refuseCloudWithoutLibraries(request);
    if (!request.dryrun) this.refuseWithoutSshTools();
    const sky = await this.options.session.ensureSkyPilot();
    this.refuseCloudWithoutLibraries(request);
    const taskFile = this.writeTaskFile(request);
    const flags = launchFlags(request);
    const command = request.dryrun ? ['launch', ...flags, taskFile] : ['launch', '--async', ...flags, taskFile];
    const { id } = this.options.operations.start({
      kind: 'launch',
      name: request.name,
      sky: sky.path,
      command: ['sky', ...command],
      run: (context) =>
        request.dryrun ? this.preview(context, request, command) : this.launch(context, request, command),
    });
    return { operation_id: id, name: request.name, task_file: taskFile };
  }

  async listServers(): Promise<ServersAnswer> {
    const { store, runner } = this.options;
    const sky = store.skyLocation();
    if (!sky) return { installed: false, servers: [] };
    const result = await runner.run(sky.path, ['status'], { readOnly: true }).result;
    if (result.exitCode !== 0) throw this.asError(this.failed('Listing the servers', result));
    try {
      return { installed: true, servers: parseSkyStatus(result.stdout) };
    } catch (error) {
      if (error instanceof SkyOutputError) {
        throw new CarapaceError(
          'sky-failed',
          error.message,
          'Check that the SkyPilot in use is supported (see README).',
          502,
        );
      }
      throw error;
    }
  }

  async tearDown(name: string): Promise<{ operation_id: string; name: string }> {
    if (!CLUSTER_NAME.test(name)) throw invalidRequest(`"${shown(name)}" is not a valid server name.`);
    const sky = await this.options.session.ensureSkyPilot();
    const { id } = this.options.operations.start({
      kind: 'down',
      name,
      sky: sky.path,
      command: ['sky', 'down', '-y', name],
      run: (context) => this.down(context, name),
    });
    return { operation_id: id, name };
  }

  /** Cancels a launch in progress through SkyPilot (`sky api cancel <request id>`). */
  async cancelLaunch(operationId: string): Promise<{ operation_id: string; message: string }> {
    const { operations, store, runner } = this.options;
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
    const result = await runner.run(sky.path, ['api', 'cancel', operation.request_id]).result;
    if (result.exitCode !== 0) throw this.asError(this.failed('Cancelling the launch', result));
    const said = plainText(result.stdout).trim().split('\n').at(-1) ?? '';
    return {
      operation_id: operationId,
      message: /^Cancelled/.test(said)
        ? `SkyPilot cancelled the launch of ${operation.name} (${said}).`
        : `SkyPilot had nothing to cancel for ${operation.name}: the launch had already ended.`,
    };
  }

  private async preview(context: OperationContext, request: LaunchRequest, command: string[]): Promise<Outcome> {
    const result = await context.sky(command);
    if (result.exitCode === 0) {
      return {
        ok: true,
        message: `Preview of ${request.name} finished: nothing was launched.`,
        hint: null,
        code: null,
        exit_code: 0,
      };
    }
    return this.failed(`The preview of ${request.name}`, result);
  }

  /**
   * An async launch: submitted to SkyPilot's API server, which runs it to the end
   * whatever happens to Carapace; followed with `sky api logs`; cancellable with its
   * request id; and confirmed with `sky status` before it is called up.
   */
  private async launch(context: OperationContext, request: LaunchRequest, command: string[]): Promise<Outcome> {
    const submitted = await context.sky(command);
    const requestId = parseLaunchRequestId(submitted.stdout);
    if (submitted.exitCode !== 0 || !requestId) return this.failed(`The launch of ${request.name}`, submitted);
    context.cancellable(requestId);
    const followed = await context.sky(['api', 'logs', requestId], { unqueued: true });
    if (context.stopping) {
      return {
        ok: false,
        message: `Carapace stopped following the launch of ${request.name}; it goes on in SkyPilot and will show in the servers list.`,
        hint: null,
        code: null,
        exit_code: null,
      };
    }
    const cluster = await this.clusterNamed(context, request.name);
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
      const known = followed.exitCode === null ? undefined : LAUNCH_EXIT[followed.exitCode];
      const failure = known
        ? {
            code: 'sky-failed' as const,
            message: `The launch of ${request.name} failed: ${known}.`,
            hint: 'See the output in the activity log.',
          }
        : skyFailure(`The launch of ${request.name}`, followed.stdout, followed.stderr, this.options.teamServer());
      const left = cluster ? ` ${request.name} is listed (${cluster.status}) and may be billing: tear it down.` : '';
      return {
        ok: false,
        message: `${failure.message}${left}`,
        hint: failure.hint,
        code: failure.code,
        exit_code: followed.exitCode,
      };
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

  /** `sky down` says "done" only when it is; anything else is confirmed with `sky status NAME`. */
  private async down(context: OperationContext, name: string): Promise<Outcome> {
    const result = await context.sky(['down', '-y', name]);
    const report = parseSkyDown(name, result.stdout, result.stderr);
    const cluster = await this.clusterNamed(context, name);
    if (cluster) {
      const why =
        report.outcome === 'failed'
          ? report.reason
          : result.exitCode !== 0
            ? skyFailure('Tearing down', result.stdout, result.stderr, null).message
            : 'SkyPilot did not say why';
      return {
        ok: false,
        message: `Tearing down ${name} failed: ${why}. ${name} is still listed (${cluster.status}) and may still be billing.`,
        hint: `Try Tear down again; if it keeps failing, check ${name} in your cloud's console.`,
        code: 'sky-failed',
        exit_code: result.exitCode,
      };
    }
    if (result.exitCode !== 0 && report.outcome !== 'done') {
      return this.failed(`Tearing down ${name}`, result);
    }
    return {
      ok: true,
      message: report.outcome === 'not-found' ? `There is no server named ${name}.` : `Server ${name} was torn down.`,
      hint: null,
      code: null,
      exit_code: result.exitCode,
    };
  }

  /** The cluster `sky status NAME` lists, or null; an unreadable answer counts as listed (never report gone unseen). */
  private async clusterNamed(context: OperationContext, name: string): Promise<Cluster | null> {
    const result = await context.sky(['status', name]);
    try {
      if (result.exitCode !== 0) throw new SkyOutputError('sky status failed');
      return parseSkyStatus(result.stdout).find((cluster) => cluster.name === name) ?? null;
    } catch {
      return { name, infra: '', resources: '', status: 'status unknown', autostop: '', launched: '', workspace: null };
    }
  }

  private failed(what: string, result: ProcessResult): Outcome {
    const failure = skyFailure(what, result.stdout, result.stderr, this.options.teamServer());
    return { ok: false, message: failure.message, hint: failure.hint, code: failure.code, exit_code: result.exitCode };
  }

  private asError(outcome: Outcome): CarapaceError {
    return new CarapaceError(
      outcome.code ?? 'sky-failed',
      outcome.message,
      outcome.hint ?? 'See the output in the activity log; then try again.',
      502,
    );
  }

  /** Only clouds whose SkyPilot libraries are installed can be launched on (skypilot[<cloud>]). */
  private refuseCloudWithoutLibraries(request: LaunchRequest): void {
    const extras = this.options.store.status().extras;
    if (!request.cloud || extras === null || extras.includes(request.cloud)) return;
    throw invalidRequest(
      `SkyPilot's libraries for ${request.cloud} are not installed in Carapace (it has: ${extras.join(', ') || 'none'}).`,
      `Add ${request.cloud} in the Clouds list first, or choose one of: ${extras.join(', ')}.`,
    );
  }

  /** A real `sky launch` runs ssh and rsync on this machine (sky/utils/command_runner.py). */
  private refuseWithoutSshTools(): void {
    const missing = ['ssh', 'rsync'].filter((tool) => !findOnPath(tool, this.options.env.PATH));
    if (missing.length === 0) return;
    throw new CarapaceError(
      'missing-tool',
      `Launching a server needs ${missing.join(' and ')} on this machine, and ${missing.length > 1 ? 'they are' : 'it is'} missing.`,
      `Install ${missing.map((tool) => (tool === 'ssh' ? 'openssh-client (ssh)' : tool)).join(' and ')} with your system's package manager, then launch again. Check Clouds and "preview only" work without.`,
      400,
    );
  }

  /** servers/<name>.yaml, written to a new file and renamed over any old one (never through a link). */
  private writeTaskFile(request: LaunchRequest): string {
    const { servers } = this.options.layout;
    try {
      if (lstatSync(servers).isSymbolicLink()) unlinkSync(servers);
    } catch {
      // not there yet
    }
    mkdirSync(servers, { recursive: true, mode: 0o700 });
    const taskFile = `${servers}/${request.name}.yaml`;
    const temporary = `${servers}/.${request.name}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temporary, taskYaml(request), { flag: 'wx', mode: 0o600 });
      renameSync(temporary, taskFile);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return taskFile;
  }
}
