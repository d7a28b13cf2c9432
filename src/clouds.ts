/**
 * The clouds behind "Check Clouds" and "Add <cloud>": `sky check`, of every
 * cloud or of one, run as an operation (its lines streamed) once SkyPilot is
 * installed -- installing it first when it is missing -- and answered in
 * Carapace's words.
 */
import type { CheckedClouds, CloudCheck, CloudCheckAnswer, CloudEnableAnswer } from './api.js';
import { CarapaceError } from './errors.js';
import type { Lifecycle } from './installer/lifecycle.js';
import type { InstallSession } from './installer/session.js';
import { redactUrl } from './redact.js';
import { inCarapaceWords, parseSkyCheck } from './sky/check.js';
import { ADDABLE_CLOUD_IDS, CLOUDS, extraOfCloud } from './sky/clouds.js';
import { awsCliForUser } from './sky/environment.js';
import { failedOutcome, type OperationRegistry, outcomeError } from './sky/operations.js';
import type { ApiServerEndpoint } from './status/api-server.js';
import type { StatusStore } from './status/store.js';

export interface CloudsContext {
  session: InstallSession;
  lifecycle: Lifecycle;
  store: StatusStore;
  operations: OperationRegistry;
  /** The SkyPilot API server every sky run uses now. */
  apiServer(): ApiServerEndpoint;
  /** The PATH of the user who runs Carapace (theirs is the terminal SkyPilot's steps are typed in). */
  userPath: string | undefined;
}

export class CloudChecks {
  /** The check running now: clicks meanwhile (200 at once, say) get its answer, not a run each. */
  private checking: Promise<CheckedClouds> | null = null;
  private last: CheckedClouds | null = null;

  constructor(private readonly context: CloudsContext) {}

  /** The last full check, with clouds added since updated in place, for a new client's snapshot. */
  lastCheck(): CheckedClouds | null {
    // Without SkyPilot (uninstalled since) nothing in it is true any more.
    if (!this.context.store.skyLocation()) this.last = null;
    return this.last;
  }

  /** Check Clouds: `sky check`, with when it ran (as the snapshot's last check says it). */
  check(): Promise<CheckedClouds> {
    this.checking ??= this.skyCheck(null)
      .then((answer) => {
        this.last = { ...answer, checked_at: new Date().toISOString() };
        return this.last;
      })
      .finally(() => {
        this.checking = null;
      });
    return this.checking;
  }

  /**
   * Adds a cloud's SkyPilot libraries (the installer's --add-cloud), then checks
   * that cloud alone (`sky check <cloud>`), so that the page can say what it still needs.
   */
  async enable(cloud: string): Promise<CloudEnableAnswer> {
    const endpoint = this.context.apiServer();
    if (endpoint.team) {
      throw new CarapaceError(
        'invalid-request',
        `Clouds are enabled on the team's SkyPilot API server (${redactUrl(endpoint.url)}), by its admin: Carapace's own cloud libraries are not used with it.`,
        `Ask the team server's admin to enable ${cloud.slice(0, 80)}.`,
        400,
      );
    }
    if (!ADDABLE_CLOUD_IDS.includes(cloud)) {
      throw new CarapaceError(
        'not-found',
        `"${cloud.slice(0, 80)}" is not a cloud Carapace can add.`,
        `Use one of: ${ADDABLE_CLOUD_IDS.join(', ')}.`,
        404,
      );
    }
    await this.context.lifecycle.addCloud(cloud);
    const check = await this.skyCheck(cloud);
    const enabled = check.enabled.some((found) => extraOfCloud(found.name) === cloud);
    return { cloud, enabled, check, last_check: this.lastCheck() };
  }

  /** `sky check` (of one cloud, or all) as an operation; its answer in Carapace's words. */
  private async skyCheck(cloud: string | null): Promise<CloudCheckAnswer> {
    const { session, operations, store, apiServer } = this.context;
    const sky = await session.ensureSkyPilot(cloud ? `check of ${cloud}` : 'cloud check');
    const endpoint = apiServer();
    const args = cloud ? ['check', cloud] : ['check'];
    let check: CloudCheck | null = null;
    const { done } = operations.start({
      kind: 'check',
      name: cloud,
      sky: sky.path,
      command: ['sky', ...args],
      run: async (context) => {
        const result = await context.sky(args);
        // Said by its name ("IBM"), not SkyPilot's id for it ("ibm").
        const shown = CLOUDS.find((known) => known.id === cloud)?.name ?? cloud;
        if (result.exitCode !== 0) {
          return failedOutcome(shown ? `Checking ${shown}` : 'The cloud check', result, { sky: sky.path, endpoint });
        }
        check = parseSkyCheck(result.stdout);
        const message = shown ? `Checked ${shown}.` : 'Cloud check finished.';
        return { ok: true, message, hint: null, code: null, exit_code: 0 };
      },
    });
    const outcome = await done;
    if (!outcome.ok || !check) throw outcomeError(outcome);
    const answer: CloudCheck = check;
    const inWords = {
      ...answer,
      disabled: inCarapaceWords(answer, {
        installedExtras: store.status().extras,
        teamServer: endpoint.team ? redactUrl(endpoint.url) : null,
        awsCli: awsCliForUser(sky, this.context.userPath),
      }),
    };
    if (cloud && this.last) this.last = withCloudsOf(this.last, inWords);
    return inWords;
  }
}

/**
 * The full check with the clouds a check of one cloud printed put in place of their
 * entries (its other clouds, and when the full check ran, unchanged).
 */
export function withCloudsOf(full: CheckedClouds, one: CloudCheckAnswer): CheckedClouds {
  const names = new Set([...one.enabled, ...one.disabled].map((cloud) => cloud.name));
  const others = <T extends { name: string }>(list: T[]) => list.filter((cloud) => !names.has(cloud.name));
  return {
    ...full,
    enabled: [...others(full.enabled), ...one.enabled],
    disabled: [...others(full.disabled), ...one.disabled],
    workspaces: full.workspaces.map((workspace) => ({
      workspace: workspace.workspace,
      enabled: [
        ...others(workspace.enabled),
        ...(one.workspaces.find((each) => each.workspace === workspace.workspace)?.enabled ?? []),
      ],
    })),
  };
}
