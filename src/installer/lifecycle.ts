/**
 * What changes the SkyPilot install after the first one: an update, an uninstall,
 * a cloud's libraries added. Each is an installer run (src/installer/session.ts),
 * refused while a sky command runs: an update or an uninstall stops SkyPilot's
 * local API server, and with it every request still running in it (a launch).
 */
import type { OperationSummary } from '../api.js';
import { CarapaceError } from '../errors.js';
import type { StatusStore } from '../status/store.js';
import type { InstallSession } from './session.js';

export interface LifecycleOptions {
  session: InstallSession;
  store: StatusStore;
  /** The sky commands running now. */
  running(): OperationSummary[];
}

export class Lifecycle {
  constructor(private readonly options: LifecycleOptions) {}

  /** The newest SkyPilot beside the one in use, switched to once it runs. */
  update(): { install_id: string } {
    this.refuseWhileInUse('update SkyPilot');
    this.refuseUnlessManaged('update it');
    return this.begin({ kind: 'update' });
  }

  /** Removes what the installer made (stopping the local API server first). */
  uninstall(): { install_id: string } {
    this.refuseWhileInUse('remove SkyPilot');
    return this.begin({ kind: 'uninstall' });
  }

  /** Adds a cloud's libraries; resolves once they are installed. */
  async addCloud(cloud: string): Promise<void> {
    this.refuseWhileInUse(`add ${cloud}`);
    if (this.options.store.skyLocation()) this.refuseUnlessManaged(`add ${cloud}'s libraries to it`);
    await this.options.session.start({ kind: 'add-cloud', cloud }).promise;
  }

  private begin(job: { kind: 'update' } | { kind: 'uninstall' }): { install_id: string } {
    const { id, promise } = this.options.session.start(job);
    // The outcome reaches the page as events and in the status; nobody awaits it here.
    promise.catch(() => undefined);
    return { install_id: id };
  }

  private refuseWhileInUse(what: string): void {
    const running = this.options.running();
    if (running.length === 0) return;
    const names = running.map((operation) => `${operation.kind}${operation.name ? ` of ${operation.name}` : ''}`);
    throw new CarapaceError(
      'busy',
      `Carapace cannot ${what} while SkyPilot is working (${names.join(', ')}).`,
      'Wait until it finishes (or cancel it), then try again.',
      409,
    );
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
