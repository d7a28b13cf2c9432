/**
 * STAND-IN for a team's SkyPilot API server, for Carapace's tests only.
 *
 * What it imitates of the real one (sky/server/server.py, checked by the client in
 * sky/server/common.py, get_api_server_status):
 * - GET /api/health answers 200 with {status: "healthy", api_version, version,
 *   commit, user} and the X-SkyPilot-API-Version and X-SkyPilot-Version headers
 *   (sky/server/constants.py); with mode "auth" it answers 401, as a server behind
 *   a login does; with mode "too-old" it reports API version 10 (SkyPilot 0.9),
 *   below the client's MIN_COMPATIBLE_API_VERSION of 11.
 *
 * What it does NOT imitate: SkyPilot's request API. The stand-in sky keeps its
 * clusters here through routes of its own -- GET /standin/clusters (every cluster's
 * line), PUT and DELETE /standin/clusters/<name> (one cluster's) -- so that every
 * Carapace pointed at this server sees the clusters any of them launched, as a
 * team sharing a real API server does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandinApiServerMode = 'healthy' | 'auth' | 'too-old';

export interface StandinApiServer {
  url: string;
  setMode(mode: StandinApiServerMode): void;
  /** How many requests for the clusters it has answered. */
  clusterRequests(): number;
  close(): Promise<void>;
}

const VERSION = '1.0.0.dev20261120';
const API_VERSION = 27;
const OLD = { version: '0.9.3', apiVersion: 10 };
const MAX_BODY = 1024 * 1024;

export async function startStandinApiServer(): Promise<StandinApiServer> {
  let mode: StandinApiServerMode = 'healthy';
  const clusters = new Map<string, string>();
  let clusterRequests = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/health' && req.method === 'GET') {
      if (mode === 'auth') {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
        return;
      }
      const old = mode === 'too-old';
      const version = old ? OLD.version : VERSION;
      const apiVersion = old ? OLD.apiVersion : API_VERSION;
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'X-SkyPilot-API-Version': String(apiVersion),
          'X-SkyPilot-Version': version,
        })
        .end(
          JSON.stringify({
            status: 'healthy',
            api_version: String(apiVersion),
            version,
            commit: 'standin',
            user: { name: 'team', id: 'team0001' },
          }),
        );
      return;
    }
    if (path === '/standin/clusters' && req.method === 'GET') {
      clusterRequests += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end([...clusters.values()].join(''));
      return;
    }
    const name = /^\/standin\/clusters\/([a-z0-9-]+)$/.exec(path ?? '')?.[1];
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
    clusterRequests: () => clusterRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
