/**
 * STAND-IN for a team's SkyPilot API server, for Carapace's tests only.
 *
 * What it imitates of the real one (sky/server/server.py, health; checked by the client
 * in sky/server/common.py, get_api_server_status; see test/standins/README.md):
 * - GET /api/health answers 200 with {status: "healthy", api_version, version,
 *   version_on_disk, commit, basic_auth_enabled, user, service_account_token_enabled,
 *   ingress_basic_auth_enabled, latest_version} (user null: no login here; the flags
 *   false; latest_version null, as for a dev version); the X-SkyPilot-API-Version and
 *   X-SkyPilot-Version headers (sky/server/constants.py: API_VERSION 90) only on an
 *   answer to a request that sent its own version headers (the server's version
 *   middleware passes any other request through untouched);
 * - mode "auth", a server behind a login: a client that sends its API version gets
 *   200 with status "needs_auth" (14 and above) or 401 (below 14); a request without
 *   one (a load balancer's probe) gets only {"status": "healthy"};
 * - mode "too-old", a server before 0.11.0: no version headers, version 0.9.3, which
 *   the client refuses (sky/server/versions.py, SERVER_TOO_OLD_ERROR).
 *
 * What it does NOT imitate: SkyPilot's request API. The stand-in sky keeps its clusters
 * here through routes of its own -- GET /standin/clusters (every user's cluster lines;
 * the stand-in sky keeps the caller's, as the real server's status does without
 * all_users), PUT and DELETE /standin/clusters/<name> (one cluster's line, which names
 * its user) -- and asks GET /standin/check[?clouds=<cloud>] which of the real `sky check`
 * outputs this server's clouds give (`sky check` runs on the server, with its credentials;
 * of one cloud, only that cloud: a 404 for a cloud no output is kept of, or when setCheck
 * chose another full check).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandinApiServerMode = 'healthy' | 'auth' | 'too-old';

export interface StandinApiServer {
  url: string;
  setMode(mode: StandinApiServerMode): void;
  /** Which test/fixtures/real/sky-check-<case>.txt this server's `sky check` prints. */
  setCheck(fixtureCase: string): void;
  /** How many requests for the clusters it has answered. */
  clusterRequests(): number;
  /** The cluster lines it keeps, by name. */
  clusters(): Map<string, string>;
  close(): Promise<void>;
}

const VERSION = '1.0.0.dev20261120';
const API_VERSION = 90;
/** sky/server/server.py, health: clients below this API version get 401 rather than needs_auth. */
const NEEDS_AUTH_API_VERSION = 14;
const OLD = { version: '0.9.3', apiVersion: 10 };
const MAX_BODY = 1024 * 1024;
/** AWS (credentials in its environment) and Kubernetes enabled on the server: clouds this client has no libraries for. */
const DEFAULT_CHECK = 'kubernetes-cloudflare';
/**
 * `sky check <cloud>` on that server prints that cloud alone (sky/check.py, check_capabilities):
 * the fixture for each cloud, as the server is set up (no GCP libraries, no Azure login, no Lambda keys).
 */
const DEFAULT_ONE_CLOUD_CHECKS: Partial<Record<string, string>> = {
  aws: 'aws-only-enabled',
  kubernetes: 'kubernetes-only-enabled',
  gcp: 'gcp-not-installed',
  azure: 'azure-no-token-cache',
  lambda: 'lambda-no-keys',
};
const CLUSTER_PATH = /^\/standin\/clusters\/([A-Za-z][A-Za-z0-9._-]{0,62})$/;

function clientApiVersion(req: IncomingMessage): number | null {
  const header = req.headers['x-skypilot-api-version'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(value) ? value : null;
}

export async function startStandinApiServer(): Promise<StandinApiServer> {
  let mode: StandinApiServerMode = 'healthy';
  let checkCase = DEFAULT_CHECK;
  const clusters = new Map<string, string>();
  let clusterRequests = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/api/health' && req.method === 'GET') {
      const client = clientApiVersion(req);
      if (mode === 'too-old') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'healthy',
            api_version: String(OLD.apiVersion),
            version: OLD.version,
            commit: 'standin',
          }),
        );
        return;
      }
      const headers: Record<string, string> =
        client === null
          ? { 'content-type': 'application/json' }
          : {
              'content-type': 'application/json',
              'X-SkyPilot-API-Version': String(API_VERSION),
              'X-SkyPilot-Version': VERSION,
            };
      if (mode === 'auth' && client === null) {
        res.writeHead(200, headers).end('{"status":"healthy"}');
        return;
      }
      if (mode === 'auth' && client !== null && client < NEEDS_AUTH_API_VERSION) {
        res.writeHead(401, headers).end('{"detail":"Authentication required"}');
        return;
      }
      res.writeHead(200, headers).end(
        JSON.stringify({
          status: mode === 'auth' ? 'needs_auth' : 'healthy',
          api_version: String(API_VERSION),
          version: VERSION,
          version_on_disk: VERSION,
          commit: 'standin',
          basic_auth_enabled: false,
          user: null,
          service_account_token_enabled: false,
          ingress_basic_auth_enabled: false,
          latest_version: null,
        }),
      );
      return;
    }
    if (mode === 'auth' && path.startsWith('/standin/')) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Authentication required"}');
      return;
    }
    if (path === '/standin/check' && req.method === 'GET') {
      const cloud = new URL(req.url ?? '/', 'http://standin').searchParams.get('clouds') ?? '';
      const one = checkCase === DEFAULT_CHECK ? DEFAULT_ONE_CLOUD_CHECKS[cloud] : undefined;
      if (cloud !== '' && one === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no one-cloud check of ${cloud} is kept`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(cloud === '' ? checkCase : one);
      return;
    }
    if (path === '/standin/clusters' && req.method === 'GET') {
      clusterRequests += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end([...clusters.values()].join(''));
      return;
    }
    const name = CLUSTER_PATH.exec(path)?.[1];
    if (name && req.method === 'DELETE') {
      clusterRequests += 1;
      clusters.delete(name);
      res.writeHead(204).end();
      return;
    }
    if (name && req.method === 'PUT') {
      clusterRequests += 1;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > MAX_BODY) {
          res.writeHead(413).end();
          return;
        }
        clusters.set(name, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode: (next) => {
      mode = next;
    },
    setCheck: (next) => {
      checkCase = next;
    },
    clusterRequests: () => clusterRequests,
    clusters: () => new Map(clusters),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
