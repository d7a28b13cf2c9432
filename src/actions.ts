/**
 * The cloud actions behind the buttons. Each first awaits ensureSkyPilot() --
 * installing SkyPilot if it is missing -- then runs `sky`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CarapaceError, invalidRequest } from './errors.js';
import type { InstallSession } from './installer/session.js';
import type { Layout } from './layout.js';
import type { Operations, Outcome } from './operations/registry.js';
import { type CloudCheck, parseSkyCheck } from './sky/check.js';
import { runSky, type SkyResult } from './sky/run.js';
import { type Cluster, parseSkyStatus } from './sky/status.js';
import { CLUSTER_NAME, parseLaunchRequest, taskYaml } from './sky/task.js';

/** What `sky launch`'s exit code says: it is the job's status. */
const LAUNCH_EXIT: Record<number, string> = {
  100: 'the server started but its job failed',
  101: 'the server started but its job did not finish',
  102: 'the job was not found',
  103: 'the job was cancelled',
};

export class CloudActions {
  constructor(
    private readonly session: InstallSession,
    private readonly operations: Operations,
    private readonly layout: Layout,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async checkClouds(): Promise<CloudCheck> {
    const sky = await this.session.ensureSkyPilot();
    const { done } = this.operations.start({
      kind: 'check',
      name: null,
      sky: sky.path,
      args: ['check'],
      outcome: (result) =>
        result.exitCode === 0
          ? { ok: true, message: 'Cloud check finished.' }
          : { ok: false, message: `sky check failed${failureReason(result)}.` },
    });
    const result = await done;
    if (!result.ok) throw skyFailed(result.message, 'See the output above; then click Check Clouds again.');
    return parseSkyCheck(result.stdout);
  }

  async launchServer(body: unknown): Promise<{ operation_id: string; name: string; task_file: string }> {
    const request = parseLaunchRequest(body);
    const sky = await this.session.ensureSkyPilot();
    mkdirSync(this.layout.servers, { recursive: true });
    const taskFile = join(this.layout.servers, `${request.name}.yaml`);
    writeFileSync(taskFile, taskYaml(request));
    const args = ['launch', '-y', '-c', request.name, ...(request.dryrun ? ['--dryrun'] : []), taskFile];
    const { id } = this.operations.start({
      kind: 'launch',
      name: request.name,
      sky: sky.path,
      args,
      outcome: (result) => launchOutcome(request.name, request.dryrun, result),
    });
    return { operation_id: id, name: request.name, task_file: taskFile };
  }

  async listServers(): Promise<Cluster[]> {
    const sky = await this.session.ensureSkyPilot();
    const result = await runSky(sky.path, ['status'], this.env).result;
    if (result.exitCode !== 0) throw skyFailed(`sky status failed${failureReason(result)}.`, 'Try again in a moment.');
    return parseSkyStatus(result.stdout);
  }

  async tearDown(name: string): Promise<{ operation_id: string; name: string }> {
    if (!CLUSTER_NAME.test(name)) throw invalidRequest(`"${name}" is not a valid server name.`);
    const sky = await this.session.ensureSkyPilot();
    const { id } = this.operations.start({
      kind: 'down',
      name,
      sky: sky.path,
      args: ['down', '-y', name],
      outcome: (result) => downOutcome(name, result),
    });
    return { operation_id: id, name };
  }
}

function launchOutcome(name: string, dryrun: boolean, result: SkyResult): Outcome {
  if (result.exitCode === 0) {
    return {
      ok: true,
      message: dryrun ? `Preview of ${name} finished: nothing was launched.` : `Server ${name} is up.`,
    };
  }
  const known = result.exitCode === null ? undefined : LAUNCH_EXIT[result.exitCode];
  return {
    ok: false,
    message: `Launch of ${name} failed: ${known ?? `sky exited with ${result.exitCode}`}${failureReason(result)}.`,
  };
}

function downOutcome(name: string, result: SkyResult): Outcome {
  if (result.exitCode !== 0 || /\.\.\.failed\./.test(result.stdout)) {
    return { ok: false, message: `Tearing down ${name} failed${failureReason(result)}.` };
  }
  if (/Cluster\(s\) not found/.test(result.stdout)) return { ok: true, message: `There is no server named ${name}.` };
  return { ok: true, message: `Server ${name} was torn down.` };
}

function failureReason(result: SkyResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').filter((line) => line.trim());
  const reason = [...lines].reverse().find((line) => /error|reason|failed/i.test(line)) ?? '';
  return reason ? `: ${reason.trim()}` : '';
}

function skyFailed(message: string, hint: string): CarapaceError {
  return new CarapaceError('sky-failed', message, hint, 502);
}
