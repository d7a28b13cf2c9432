/** What the server actions (launch, list, tear down, cancel) work with. */
import type { Layout } from '../contract.js';
import type { InstallSession } from '../installer/session.js';
import type { OperationRegistry } from '../sky/operations.js';
import type { SkyRunner } from '../sky/runner.js';
import type { ApiServerEndpoint } from '../status/api-server.js';
import type { StatusStore } from '../status/store.js';

export interface ServersContext {
  session: InstallSession;
  store: StatusStore;
  operations: OperationRegistry;
  runner: SkyRunner;
  layout: Layout;
  /** Carapace's environment (its PATH tells whether ssh and rsync are here). */
  env: NodeJS.ProcessEnv;
  /** The SkyPilot API server every sky run uses now. */
  apiServer(): ApiServerEndpoint;
  /** A launch needs ssh and rsync on this machine; false in the demo, whose stand-in sky never calls them. */
  needsSshTools: boolean;
}
