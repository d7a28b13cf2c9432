/**
 * The test mirror: a loopback HTTP server standing in for uv's release
 * downloads and for a Python package index, with faults on request.
 *
 *   /<any>/<version>/uv-<triple>.tar.gz[.sha256] uv archives and sidecars (several
 *   /<any>/<version>/sha256.sum                  prefixes act as several mirrors)
 *   /simple/<project>/                           PEP 503 project pages
 *   /packages/<file>                             package files
 *   PUT /__control/faults                        set faults (JSON array, see faults.ts)
 *   GET /__control/requests                      the requests seen so far
 *   POST /__control/reset                        clear faults and the request log
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Artifacts, SKYPILOT_FILE, SKYPILOT_PACKAGE, sha256, UV_TRIPLES } from './artifacts.js';
import { type Fault, FaultTable, parseFaults } from './faults.js';

export interface SeenRequest {
  method: string;
  path: string;
  range: string | null;
}

export interface Mirror {
  url: string;
  uvBase: string;
  indexUrl: string;
  setFaults(faults: Fault[]): void;
  requests(): SeenRequest[];
  reset(): void;
  close(): Promise<void>;
}

interface Body {
  data: Buffer;
  type: string;
}

export interface MirrorOptions {
  port?: number;
  /** Serve HTTPS with this PEM key and certificate (tests of TLS failures). */
  tls?: { key: string; cert: string };
}

export async function startMirror({ port = 0, tls }: MirrorOptions = {}): Promise<Mirror> {
  const artifacts = new Artifacts();
  const faults = new FaultTable();
  let seen: SeenRequest[] = [];

  function resolve(path: string): Body | undefined {
    const uv = /^\/[^/]+\/([^/]+)\/(uv-[^/]+|sha256\.sum)$/.exec(path);
    if (uv) {
      const [, version, file] = uv as unknown as [string, string, string];
      if (file === 'sha256.sum') {
        const lines = UV_TRIPLES.map((t) => {
          const archive = artifacts.uvArchive(version, t);
          return archive ? `${sha256(archive)} *uv-${t}.tar.gz` : '';
        });
        return { data: Buffer.from(`${lines.join('\n')}\n`), type: 'text/plain' };
      }
      const name = /^uv-(.+)\.tar\.gz(\.sha256)?$/.exec(file);
      if (!name) return undefined;
      const archive = artifacts.uvArchive(version, name[1] as string);
      if (!archive) return undefined;
      if (name[2]) return { data: Buffer.from(`${sha256(archive)}  uv-${name[1]}.tar.gz\n`), type: 'text/plain' };
      return { data: archive, type: 'application/gzip' };
    }
    if (path === '/simple/' || path === '/simple') {
      return {
        data: Buffer.from(`<a href="/simple/${SKYPILOT_PACKAGE}/">${SKYPILOT_PACKAGE}</a>\n`),
        type: 'text/html',
      };
    }
    if (path === `/simple/${SKYPILOT_PACKAGE}/` || path === `/simple/${SKYPILOT_PACKAGE}`) {
      return { data: Buffer.from(artifacts.projectPage()), type: 'text/html' };
    }
    if (path === `/packages/${SKYPILOT_FILE}`) {
      return { data: artifacts.skypilotPackage(), type: 'application/octet-stream' };
    }
    return undefined;
  }

  function control(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path === '/__control/requests' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
      return;
    }
    if (path === '/__control/reset' && req.method === 'POST') {
      faults.set([]);
      seen = [];
      res.writeHead(204).end();
      return;
    }
    if (path === '/__control/faults' && req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          faults.set(parseFaults(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          res.writeHead(204).end();
        } catch (error) {
          res.writeHead(400).end(String(error));
        }
      });
      return;
    }
    res.writeHead(404).end();
  }

  function serve(req: IncomingMessage, res: ServerResponse, body: Body, fault: Fault | undefined): void {
    let data = body.data;
    if (fault?.kind === 'bad-checksum')
      data = Buffer.from(data.toString('utf8').replace(/^[0-9a-f]{64}/, 'f'.repeat(64)));
    const total = data.length;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const headers: Record<string, string | number> = { 'content-type': body.type, 'accept-ranges': 'bytes' };
    let status = 200;
    if (range) {
      start = Number(range[1]);
      if (start >= total) {
        res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${total - 1}/${total}`;
    }
    const part = data.subarray(start);
    headers['content-length'] = part.length;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (fault?.kind === 'truncate' || fault?.kind === 'stall') {
      res.write(part.subarray(0, Math.floor(part.length / 2)));
      if (fault.kind === 'truncate') setTimeout(() => res.socket?.destroy(), 50);
      return; // a stall never ends: the client has to give up
    }
    if (fault?.kind === 'slow') {
      throttle(res, part, fault.bytesPerSecond ?? 100_000);
      return;
    }
    res.end(part);
  }

  const handle: RequestListener = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://mirror').pathname;
    if (path.startsWith('/__control/')) {
      control(req, res, path);
      return;
    }
    seen.push({ method: req.method ?? 'GET', path, range: req.headers.range ?? null });
    const fault = faults.take(req.method ?? 'GET', path);
    if (fault?.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === '404' || fault?.kind === '500') {
      res.writeHead(Number(fault.kind), { 'content-type': 'text/plain' }).end(`stand-in mirror fault ${fault.kind}\n`);
      return;
    }
    const body = resolve(path);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    serve(req, res, body, fault);
  };
  const server: Server = tls ? createTlsServer(tls, handle) : createServer(handle);

  await new Promise<void>((ready) => server.listen(port, '127.0.0.1', ready));
  const { port: bound } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`;
  return {
    url,
    uvBase: `${url}/uv`,
    indexUrl: `${url}/simple`,
    setFaults: (list) => faults.set(list),
    requests: () => [...seen],
    reset: () => {
      faults.set([]);
      seen = [];
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function throttle(res: ServerResponse, data: Buffer, bytesPerSecond: number): void {
  const slice = Math.max(1, Math.floor(bytesPerSecond / 10));
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    res.write(data.subarray(offset, offset + slice));
    offset += slice;
    if (offset >= data.length) {
      clearInterval(timer);
      res.end();
    }
  }, 100);
}
