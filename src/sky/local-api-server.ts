/**
 * SkyPilot's local API server, as Carapace keeps it current. It keeps the environment
 * it started with (sky/server/common.py, _start_api_server: os.environ.copy()); each
 * request forwards only SKYPILOT_* variables and a few credentials
 * (sky/server/requests/payloads.py, EXTERNAL_LOCAL_ENV_VARS). So a proxy, a CA bundle
 * or a PATH saved or changed after it started reaches the cloud libraries only once it
 * restarts: when the status says restart_pending, it is stopped (`sky api stop`) before
 * the next sky command, which starts it again -- never while anything runs in it.
 */
import type { StatusStore } from '../status/store.js';
import { type ApiRequest, parseApiStatus } from './requests.js';
import type { SkyRunner } from './runner.js';

export class LocalApiServer {
  private restarting: Promise<void> | null = null;

  constructor(
    private readonly runner: SkyRunner,
    private readonly store: StatusStore,
  ) {}

  /**
   * The requests running in the local API server: none when it does not run (asking would
   * start it: sdk.api_status starts a server like any command) or a team's is in use.
   * An answer sky gives that cannot be read counts as none: a mismatched old server is
   * exactly what an update or a repair must be able to replace.
   */
  async runningRequests(sky: string): Promise<ApiRequest[]> {
    const { api_server: server } = this.store.status();
    if (server.team || !server.running) return [];
    const result = await this.runner.run(sky, ['api', 'status'], { ungated: true }).result;
    if (result.exitCode !== 0) return [];
    return parseApiStatus(result.stdout) ?? [];
  }

  /** The runner's gate: restarts the local API server first when it runs with outdated settings and nothing runs. */
  restartIfPending(sky: string): Promise<void> {
    if (!this.store.status().api_server.restart_pending) return Promise.resolve();
    this.restarting ??= this.restart(sky).finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  private async restart(sky: string): Promise<void> {
    if (this.runner.active > 0) return;
    if ((await this.runningRequests(sky)).length > 0) return;
    await this.runner.run(sky, ['api', 'stop'], { ungated: true }).result;
    await this.store.refreshApiServer();
  }
}
