/** Puts the parts together and listens; close() is the graceful shutdown. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudChecks } from './clouds.js';
import { type Config, INSTALLER_SCRIPT, PAGE_DIR } from './config.js';
import { layoutOf } from './contract.js';
import type { CarapaceError } from './errors.js';
import { EventBus } from './events/bus.js';
import { EventStream } from './events/stream.js';
import { prepareHome } from './home.js';
import { createApp } from './http/app.js';
import { HostPolicy, refusal, SECURITY_HEADERS } from './http/security.js';
import { loadToken, TokenCheck } from './http/token.js';
import { Lifecycle } from './installer/lifecycle.js';
import { installLogTail } from './installer/log.js';
import { InstallSession } from './installer/session.js';
import { jsonWithoutCredentials } from './redact.js';
import type { ServersContext } from './servers/context.js';
import { missingLaunchTools } from './servers/launch.js';
import { Settings, TEAM_SERVER } from './settings/settings.js';
import { API_SERVER_VARIABLES, skyEnvironment } from './sky/environment.js';
import { LocalApiServer } from './sky/local-api-server.js';
import { OperationRegistry } from './sky/operations.js';
import { SkyRunner } from './sky/runner.js';
import { resolveApiServer } from './status/api-server.js';
import { StatusStore } from './status/store.js';

const SECURITY_HEADER_LIST = Object.entries(SECURITY_HEADERS);

export interface ServerOptions extends Config {
  env: NodeJS.ProcessEnv;
  /** The installer to run; tests and benchmarks may point elsewhere. */
  script?: string;
  heartbeatMs?: number;
  /** The offline demo (npm run demo): the page says uv and sky are stand-ins. */
  demo?: boolean;
  maxEventClients?: number;
}

export interface RunningServer {
  url: string;
  /** The page's address with the token in its fragment, as printed at start (the page keeps it for its tab). */
  pageUrl: string;
  token: string;
  session: InstallSession;
  store: StatusStore;
  bus: EventBus;
  events: EventStream;
  runner: SkyRunner;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const layout = layoutOf(options.home);
  prepareHome(layout);
  const env: NodeJS.ProcessEnv = { ...options.env, CARAPACE_HOME: options.home };
  // The environment of the installer, uv, sky and SkyPilot's API server (which keeps it): not theirs to read.
  delete env.CARAPACE_TOKEN;
  if (env.CARAPACE_SKYPILOT_TELEMETRY === '0') env.SKYPILOT_DISABLE_USAGE_COLLECTION = '1';
  // The status names the API server in use, which a saved setting can change.
  const settings = new Settings(layout, options.env, () => store.settingsChanged());
  // Where sky's API server address comes from, in the order sky itself reads it.
  const apiServer = () => resolveApiServer(env, settings.value(TEAM_SERVER), layout.home);
  const skyEnv = (sky: string | null) => skyEnvironment(env, settings, sky);
  const bus = new EventBus();
  const store = new StatusStore(layout, env, (status) => bus.publish('status', status), {
    apiServer,
    skyEnvironment: skyEnv,
    serverVariables: API_SERVER_VARIABLES,
  });
  await store.start();
  const session: InstallSession = new InstallSession({
    script: options.script ?? INSTALLER_SCRIPT,
    env,
    store,
    bus,
    guard: (job, waiting): Promise<void> => lifecycle.guard(job, waiting),
  });
  const runner = new SkyRunner({
    env: skyEnv,
    cwd: layout.home,
    gate: async (sky) => {
      await session.settled();
      await localApiServer.restartIfPending(sky);
    },
  });
  const localApiServer = new LocalApiServer(runner, store);
  const operations = new OperationRegistry(bus, runner, () => void store.refreshApiServer());
  const lifecycle: Lifecycle = new Lifecycle({
    session,
    store,
    running: () => operations.list(),
    idle: () => runner.idle(),
    requests: async () => {
      const sky = store.skyLocation();
      return sky ? localApiServer.runningRequests(sky.path) : [];
    },
  });
  const clouds = new CloudChecks({ session, lifecycle, store, operations, apiServer, userPath: env.PATH });
  // The demo's stand-in sky never runs ssh or rsync: it neither needs nor asks for them.
  const needsSshTools = !options.demo;
  const servers: ServersContext = { session, store, operations, runner, layout, env, apiServer, needsSshTools };
  const events = new EventStream({
    bus,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxClients: options.maxEventClients,
    snapshot: () => ({
      status: store.status(),
      install: session.progress(),
      operations: operations.list(),
      last_check: clouds.lastCheck(),
      waiting_launches: session.waitingLaunches(),
    }),
  });
  const token = loadToken(layout, options.token);
  const tokenCheck = new TokenCheck(token);
  const guard = { hosts: new HostPolicy(options.host, options.allowedHosts), token: options.auth ? tokenCheck : null };
  const app = createApp({
    store,
    session,
    lifecycle,
    clouds,
    servers,
    settings,
    logTail: () => installLogTail(layout, [token]),
    pageDir: PAGE_DIR,
    demo: options.demo ?? false,
    missingTools: needsSshTools ? missingLaunchTools(env) : [],
  });

  // GET /status and GET /events are answered here, before Express: the status is a
  // buffer built when it changes, and an event stream is a long-lived response.
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of SECURITY_HEADER_LIST) res.setHeader(name, value);
    const query = (req.url ?? '').indexOf('?');
    const path = query < 0 ? (req.url ?? '') : (req.url ?? '').slice(0, query);
    const refused = refusal(req, path, guard);
    if (refused) {
      // Read and drop any body, so that the answer reaches a client still sending one.
      req.resume();
      if (refused.delayMs === 0) sendError(res, refused.error);
      else setTimeout(() => sendError(res, refused.error), refused.delayMs).unref();
      return;
    }
    if (req.method === 'GET' && path === '/status') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(store.statusJson());
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      if (events.full) {
        sendError(res, {
          httpStatus: 503,
          toBody: () => ({
            code: 'too-many-requests',
            message: 'Too many event streams are open.',
            hint: 'Close other Carapace tabs, then reload.',
          }),
        });
        return;
      }
      events.handle(req, res, new URLSearchParams(query < 0 ? '' : (req.url ?? '').slice(query + 1)));
      return;
    }
    app(req, res);
  };
  const server: Server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  guard.hosts.setPort(port);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? '127.0.0.1' : shownHost}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    pageUrl: options.auth ? `${url}/#token=${token}` : `${url}/`,
    token,
    session,
    store,
    bus,
    events,
    runner,
    close() {
      closing ??= (async () => {
        server.close();
        // The installer, told to stop, stops uv and releases its lock; sky runs are stopped too.
        await Promise.all([session.close(), operations.stopAll()]);
        await runner.close();
        // Last, so that clients still get the "interrupted" events.
        events.closeAll();
        await store.close();
        server.closeAllConnections();
      })();
      return closing;
    },
  };
}

function sendError(res: ServerResponse, error: Pick<CarapaceError, 'httpStatus' | 'toBody'>): void {
  if (res.destroyed) return; // a client that left while its wrong token waited
  res.writeHead(error.httpStatus, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(jsonWithoutCredentials(error.toBody()));
}
