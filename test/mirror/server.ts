/**
 * The test mirror: a loopback HTTP server standing in for uv's release
 * downloads and for a Python package index, with faults on request.
 *
 *   /<any>/<version>/uv-<triple>.tar.gz[.sha256] uv archives and sidecars (several
 *   /<any>/<version>/sha256.sum                  prefixes act as several mirrors)
 *   /simple/<project>/                           PEP 503 project pages
 *   /packages/<file>                             package files (SkyPilot's, its dependencies')
 *   /python/<release>/cpython-...tar.gz          managed Pythons (UV_PYTHON_INSTALL_MIRROR)
 *   PUT /__control/faults                        set faults (JSON array, see faults.ts)
 *   PUT /__control/skypilot-versions             set the SkyPilot versions offered (JSON array)
 *   GET /__control/requests                      the requests seen so far
 *   POST /__control/reset                        clear faults and the request log
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  type ArtifactSizes,
  Artifacts,
  SKYPILOT_PACKAGE,
  SKYPILOT_VERSION,
  sha256,
  TEST_SIZES,
  UV_TRIPLES,
} from './artifacts.js';
import { type Fault, FaultTable, parseFaults } from './faults.js';

export interface SeenRequest {
  method: string;
  path: string;
  range: string | null;
  /** When it arrived and when its answer ended (ms since the epoch; null until then). */
  startedMs: number;
  endedMs: number | null;
  /** The body's bytes sent. */
  bytes: number;
}

export interface Mirror {
  url: string;
  uvBase: string;
  indexUrl: string;
  /** The base for UV_PYTHON_INSTALL_MIRROR. */
  pythonBase: string;
  setFaults(faults: Fault[]): void;
  /** The SkyPilot versions the index offers, oldest first. */
  setSkypilotVersions(versions: string[]): void;
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
  sizes?: ArtifactSizes;
}

export async function startMirror({ port = 0, tls, sizes = TEST_SIZES }: MirrorOptions = {}): Promise<Mirror> {
  const artifacts = new Artifacts(sizes);
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
    const wheel = /^\/packages\/skypilot_nightly-(.+)-py3-none-any\.whl$/.exec(path);
    if (wheel) {
      const data = artifacts.skypilotPackage(wheel[1] ?? '');
      return data ? { data, type: 'application/octet-stream' } : undefined;
    }
    const dependency = /^\/packages\/([^/]+\.whl)$/.exec(path);
    if (dependency) {
      const data = artifacts.dependency(dependency[1] ?? '');
      return data ? { data, type: 'application/octet-stream' } : undefined;
    }
    const python = /^\/python\/[0-9]+\/([^/]+)$/.exec(decodeURIComponent(path));
    if (python) {
      const data = artifacts.python(python[1] ?? '');
      return data ? { data, type: 'application/gzip' } : undefined;
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
      artifacts.skypilotVersions = [SKYPILOT_VERSION];
      res.writeHead(204).end();
      return;
    }
    if (path === '/__control/skypilot-versions' && req.method === 'PUT') {
      readJson(req, (value) => {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^[0-9A-Za-z.+-]+$/.test(v))) {
          throw new Error('a JSON array of versions');
        }
        artifacts.skypilotVersions = value as string[];
      }).then(
        () => res.writeHead(204).end(),
        (error: unknown) => res.writeHead(400).end(String(error)),
      );
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

  function serve(
    req: IncomingMessage,
    res: ServerResponse,
    body: Body,
    fault: Fault | undefined,
    seenAs: SeenRequest,
  ): void {
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
    if (req.method !== 'HEAD') seenAs.bytes = part.length;
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
    const request: SeenRequest = {
      method: req.method ?? 'GET',
      path,
      range: req.headers.range ?? null,
      startedMs: performance.timeOrigin + performance.now(),
      endedMs: null,
      bytes: 0,
    };
    seen.push(request);
    res.on('close', () => {
      request.endedMs = performance.timeOrigin + performance.now();
    });
    const fault = faults.take(req.method ?? 'GET', path);
    if (fault?.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') return; // the client has to give up
    if (fault?.kind === 'redirect') {
      res.writeHead(302, { location: fault.location ?? '/' }).end();
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
    serve(req, res, body, fault, request);
  };
  const server: Server = tls ? createTlsServer(tls, handle) : createServer(handle);

  await new Promise<void>((ready) => server.listen(port, '127.0.0.1', ready));
  const { port: bound } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`;
  return {
    url,
    uvBase: `${url}/uv`,
    indexUrl: `${url}/simple`,
    pythonBase: `${url}/python`,
    setFaults: (list) => faults.set(list),
    setSkypilotVersions: (versions) => {
      artifacts.skypilotVersions = versions;
    },
    requests: () => [...seen],
    reset: () => {
      faults.set([]);
      seen = [];
      artifacts.skypilotVersions = [SKYPILOT_VERSION];
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => {
          artifacts.close();
          done();
        });
      }),
  };
}

function readJson(req: IncomingMessage, use: (value: unknown) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        use(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * Sends data at bytesPerSecond on average: each tick sends what is due by the clock
 * since the start, so that late timers on a busy machine do not slow the link down.
 */
function throttle(res: ServerResponse, data: Buffer, bytesPerSecond: number): void {
  const started = performance.now();
  let sent = 0;
  const tick = () => {
    if (res.destroyed) return;
    const due = Math.min(data.length, Math.floor(((performance.now() - started) / 1000) * bytesPerSecond));
    if (due > sent) {
      res.write(data.subarray(sent, due));
      sent = due;
    }
    if (sent >= data.length) res.end();
    else setTimeout(tick, 20);
  };
  setTimeout(tick, 20);
}
