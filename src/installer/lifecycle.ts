/**
 * What changes the SkyPilot install after the first one: an update, an uninstall,
 * a cloud's libraries added. Each is an installer run (src/installer/session.ts)
 * that stops SkyPilot's local API server, and with it every request still running
 * in it (`sky api stop` ends them all and clears the request database). So each is
 * refused (busy) while SkyPilot works: when it is asked for (a quick answer), and
 * again when it is about to start (guard) -- then also asking the local API server
 * itself (`sky api status`) for requests started before Carapace's last restart.
 */
import type { OperationSummary } from '../api.js';
import { CarapaceError } from '../errors.js';
import { type ApiRequest, describeRequest } from '../sky/requests.js';
import type { StatusStore } from '../status/store.js';
import type { InstallerJob, InstallSession } from './session.js';

export interface LifecycleOptions {
  session: InstallSession;
  store: StatusStore;
  /** The sky commands running now (operations). */
  running(): OperationSummary[];
  /** Resolves when no sky process runs (the runner's gate keeps new ones waiting meanwhile). */
  idle(): Promise<void>;
  /** The requests still running in SkyPilot's local API server. */
  requests(): Promise<ApiRequest[]>;
}

const ACTIONS: Record<InstallerJob['kind'], string> = {
  install: 'install SkyPilot',
  update: 'update SkyPilot',
  uninstall: 'remove SkyPilot',
  'add-cloud': "add a cloud's libraries",
};

export class Lifecycle {
  constructor(private readonly options: LifecycleOptions) {}

  /** The newest SkyPilot beside the one in use, switched to once it runs. */
  update(): { install_id: string } {
    this.refuseWhileInUse('update SkyPilot', []);
    this.refuseUnlessManaged('update it');
    return this.begin({ kind: 'update' });
  }

  /** Removes what the installer made (stopping the local API server first). */
  uninstall(): { install_id: string } {
    this.refuseWhileInUse('remove SkyPilot', []);
    return this.begin({ kind: 'uninstall' });
  }

  /** Adds a cloud's libraries; resolves once they are installed. */
  async addCloud(cloud: string): Promise<void> {
    this.refuseWhileInUse(`add ${cloud}`, []);
    if (this.options.store.skyLocation()) this.refuseUnlessManaged(`add ${cloud}'s libraries to it`);
    await this.options.session.start({ kind: 'add-cloud', cloud }).promise;
  }

  /**
   * The session's guard: a job that changes SkyPilot, about to start, is refused while
   * an operation runs sky or waits for SkyPilot to run it (the synchronous part), or
   * while a request runs in the local API server. A short read in flight (the servers
   * list) is waited for: the runner lets no new sky process start meanwhile.
   */
  async guard(job: InstallerJob, waitingForSkyPilot: readonly string[]): Promise<void> {
    const what = ACTIONS[job.kind];
    this.refuseWhileInUse(what, waitingForSkyPilot);
    await this.options.idle();
    const requests = await this.options.requests();
    if (requests.length > 0) {
      throw busy(what, [`requests in SkyPilot's API server: ${requests.map(describeRequest).join(', ')}`]);
    }
  }

  private begin(job: { kind: 'update' } | { kind: 'uninstall' }): { install_id: string } {
    const { id, promise } = this.options.session.start(job);
    // The outcome reaches the page as events and in the status; nobody awaits it here.
    promise.catch(() => undefined);
    return { install_id: id };
  }

  private refuseWhileInUse(what: string, waitingForSkyPilot: readonly string[]): void {
    const names = this.options
      .running()
      .map((operation) => `${operation.kind}${operation.name ? ` of ${operation.name}` : ''}`);
    names.push(...waitingForSkyPilot.map((purpose) => `${purpose}, waiting for SkyPilot`));
    if (names.length > 0) throw busy(what, names);
  }

  /** action: what Carapace does not do to the user's own sky, e.g. "update it". */
  private refuseUnlessManaged(action: string): void {
    const { source, sky_path: path } = this.options.store.status();
    if (source !== 'path') return;
    throw new CarapaceError(
      'sky-not-managed',
      `The SkyPilot in use (${path}) was installed outside Carapace, so Carapace does not ${action}.`,
      'Change it where it was installed (e.g. pip install -U "skypilot[aws,gcp]"), or remove it from PATH so that Carapace installs its own.',
      409,
    );
  }
}

function busy(what: string, names: string[]): CarapaceError {
  return new CarapaceError(
    'busy',
    `Carapace cannot ${what} while SkyPilot is working (${names.join('; ')}).`,
    'Wait until it finishes (or cancel it), then try again.',
    409,
  );
}
