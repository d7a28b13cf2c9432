/** Puts the parts together and listens; close() is the graceful shutdown. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudActions } from './actions.js';
import { type Config, INSTALLER_SCRIPT, PAGE_DIR } from './config.js';
import { EventBus } from './events/bus.js';
import { createApp } from './http/app.js';
import { EventStream } from './http/events.js';
import { HostPolicy } from './http/security.js';
import { InstallSession } from './installer/session.js';
import { layoutOf } from './layout.js';
import { Operations } from './operations/registry.js';
import { StatusStore } from './status/store.js';

export interface ServerOptions extends Config {
  env: NodeJS.ProcessEnv;
  /** The installer to run; tests and benchmarks may point elsewhere. */
  script?: string;
  heartbeatMs?: number;
  /** The offline demo (npm run demo): the page says uv and sky are stand-ins. */
  demo?: boolean;
}

export interface RunningServer {
  url: string;
  session: InstallSession;
  store: StatusStore;
  bus: EventBus;
  events: EventStream;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const env = { ...options.env, CARAPACE_HOME: options.home };
  const layout = layoutOf(options.home);
  const bus = new EventBus();
  const store = new StatusStore(layout, env, (status) => bus.publish('status', status));
  await store.start();
  const session = new InstallSession({ script: options.script ?? INSTALLER_SCRIPT, env, store, bus });
  const operations = new Operations(bus, env);
  const actions = new CloudActions(session, operations, layout, env);
  const events = new EventStream({
    bus,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    snapshot: () => ({ status: store.status(), install: session.progress(), operations: operations.list() }),
  });
  const hosts = new HostPolicy(options.host, options.allowedHosts);
  const app = createApp({ store, session, actions, events, hosts, pageDir: PAGE_DIR, demo: options.demo ?? false });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const { port } = server.address() as AddressInfo;
  hosts.setPort(port);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`,
    session,
    store,
    bus,
    events,
    close() {
      closing ??= (async () => {
        server.close();
        // The installer, told to stop, stops uv and releases its lock; sky runs are stopped too.
        await Promise.all([session.close(), operations.stopAll()]);
        // Last, so that clients still get the "interrupted" events.
        events.closeAll();
        await store.close();
        server.closeAllConnections();
      })();
      return closing;
    },
  };
}
