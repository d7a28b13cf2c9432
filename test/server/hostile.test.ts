// Hostile input against the server: GETs that must not install, a non-loopback bind
// with a forged Host, event-stream clients that never read, special files in
// CARAPACE_HOME, a marker written by hand, a crowd of identical requests, and a fuzz
// of malformed requests from a fixed seed.

import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { INSTALLER_ERROR_CODES, type Marker } from '../../src/contract.js';
import { type Fixture, startFixture, until } from '../support/fixture.js';
import { Listener } from '../support/sse.js';
import { mkfifoSync } from './fifo.js';

let fx: Fixture | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await fx?.close();
  fx = undefined;
});

function raw(f: Fixture, method: string, path: string, headers: Record<string, string>, body?: Buffer | string) {
  const port = new URL(f.server.url).port;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('GET has no side effects', () => {
  it('GET /servers on a machine without SkyPilot answers "not installed" and installs nothing', async () => {
    fx = await startFixture();
    const response = await fx.request('GET', '/servers');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      installed: false,
      servers: [],
      all_users: false,
      read_at: null,
      refreshed: false,
    });
    expect(fx.server.session.runs).toBe(0);
    expect(fx.mirror.requests()).toEqual([]);
  });

  it('a cross-site GET (an <img> on any page) is refused, even carrying a cookie with the token', async () => {
    fx = await startFixture();
    const port = new URL(fx.server.url).port;
    const answer = await raw(fx, 'GET', '/servers', {
      host: `127.0.0.1:${port}`,
      cookie: `carapace_token=${fx.server.token}`,
      'sec-fetch-site': 'cross-site',
      'sec-fetch-dest': 'image',
    });
    expect(answer.status).toBe(403);
    expect(fx.server.session.runs).toBe(0);
  });
});

describe('bound to every address', () => {
  it('a POST from elsewhere with a forged Host starts nothing without the token', async () => {
    fx = await startFixture({ server: { host: '0.0.0.0' } });
    const port = new URL(fx.server.url).port;
    for (const path of ['/install', '/clouds/check', '/servers']) {
      const answer = await raw(
        fx,
        'POST',
        path,
        { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
        JSON.stringify({ name: 'web-1' }),
      );
      expect(answer.status, path).toBe(401);
    }
    expect(fx.server.session.runs).toBe(0);
  });

  it('with CARAPACE_AUTH=off on loopback, the token is not asked for', async () => {
    fx = await startFixture({ server: { auth: false } });
    const port = new URL(fx.server.url).port;
    const answer = await raw(fx, 'GET', '/status', { host: `127.0.0.1:${port}` });
    expect(answer.status).toBe(200);
  });
});

describe('event-stream clients', () => {
  it('300 that never read cannot grow the server; they are dropped, and a reading client loses nothing', async () => {
    fx = await startFixture({ heartbeatMs: 60_000 });
    const f = fx;
    const port = Number(new URL(f.server.url).port);
    for (let i = 0; i < 300; i++) {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${f.server.token}\r\n\r\n`,
        );
        socket.pause();
      });
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await until(() => f.server.events.clientCount === 300, '300 streams');
    const reader = new Listener(f.server.url, { token: f.server.token });
    await reader.waitFor((e) => e.type === 'snapshot', 'the snapshot');
    global.gc?.();
    const before = process.memoryUsage().rss;
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 12_000; i++) {
      f.server.bus.publish('install', { i, message: line });
      // A pause every 100 KB: a client that reads keeps up, as it does with an installer's
      // lines; one that never reads falls 256 KB behind and is dropped.
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await until(() => reader.of('install').length === 12_000, 'the reading client to get everything', 60_000);
    const grown = (process.memoryUsage().rss - before) / 1e6;
    console.log(`300 clients that never read, 12,000 events of 1 KB: RSS grew ${grown.toFixed(0)} MB`);
    reader.close();
    expect(f.server.events.dropped).toBeGreaterThanOrEqual(290);
    expect(grown).toBeLessThan(100);
    expect(reader.of('install').map((e) => e.data.i)).toEqual(Array.from({ length: 12_000 }, (_, i) => i));
  });

  it('beyond the limit, a new stream is answered 503 with a plain reason', async () => {
    fx = await startFixture({ server: { maxEventClients: 2 } });
    const f = fx;
    const a = new Listener(f.server.url, { token: f.server.token });
    const b = new Listener(f.server.url, { token: f.server.token });
    await until(() => f.server.events.clientCount === 2, 'two streams');
    const third = await fetch(`${f.server.url}/events`, { headers: { authorization: `Bearer ${f.server.token}` } });
    expect(third.status).toBe(503);
    expect(await third.json()).toMatchObject({ code: 'too-many-requests' });
    a.close();
    b.close();
  });
});

describe('special files in CARAPACE_HOME', () => {
  it.each([
    ['a FIFO', (path: string) => mkfifoSync(path)],
    ['a link to /dev/zero', (path: string) => symlinkSync('/dev/zero', path)],
    ['a folder', (path: string) => mkdirSync(path)],
  ])('%s at install.json neither hangs nor exhausts the server', async (_what, make) => {
    fx = await startFixture({
      server: {},
      env: {},
    });
    const f = fx;
    await f.server.close();
    make(join(f.home, 'install.json'));
    const before = process.memoryUsage().rss;
    await f.restart();
    // A read that blocked on the FIFO would never answer: the answer is the test.
    const status = await f.request('GET', '/status');
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ state: 'not_installed' });
    expect((process.memoryUsage().rss - before) / 1e6).toBeLessThan(100);
  });
});

describe('links the server finds in CARAPACE_HOME', () => {
  it('a link at a task file is replaced, and what it points to is left alone', async () => {
    fx = await startFixture();
    const f = fx;
    const outside = join(f.root, 'outside.txt');
    writeFileSync(outside, "not Carapace's\n");
    mkdirSync(join(f.home, 'servers'), { recursive: true });
    symlinkSync(outside, join(f.home, 'servers', 'web-1.yaml'));
    const launch = await f.request('POST', '/servers', { name: 'web-1', cpus: '2+', dryrun: true });
    expect(launch.status).toBe(202);
    await until(() => !lstatSync(join(f.home, 'servers', 'web-1.yaml')).isSymbolicLink(), 'the task file');
    expect(readFileSync(outside, 'utf8')).toBe("not Carapace's\n");
    expect(readFileSync(join(f.home, 'servers', 'web-1.yaml'), 'utf8')).toContain('resources:');
  });
});

describe('a marker written by hand', () => {
  it('written in two steps, is seen once it parses', async () => {
    fx = await startFixture();
    const f = fx;
    mkdirSync(join(f.home, 'tools/bin'), { recursive: true });
    const sky = join(f.home, 'tools/bin/sky');
    const fd = openSync(sky, 'w');
    writeSync(fd, '#!/bin/sh\necho "skypilot, version 1.0.0.dev20261120"\n');
    closeSync(fd);
    chmodSync(sky, 0o755);
    const marker = JSON.stringify({
      installer_version: '2.0.0',
      uv_version: '0.12.5',
      sky_version: '1.0.0.dev20261120',
      spec: 'skypilot-nightly[aws]',
      extras: 'aws',
      python: '3.12',
      platform: 'x86_64-unknown-linux-gnu',
      sky_path: sky,
      tools_dir: 'tools',
      download_bytes: '0',
      installed_at: '2026-12-02T00:00:00Z',
    } satisfies Marker);
    const half = Math.floor(marker.length / 2);
    const markerFd = openSync(join(f.home, 'install.json'), 'w');
    writeSync(markerFd, marker.slice(0, half));
    await new Promise((resolve) => setTimeout(resolve, 400));
    writeSync(markerFd, marker.slice(half));
    closeSync(markerFd);
    // Without the settle re-read the status stayed not_installed for 30 s or more.
    await until(() => f.server.store.status().state === 'installed', 'installed', 5000);
  });
});

describe('a crowd of identical reads', () => {
  it('50 simultaneous GET /servers start one sky status', async () => {
    fx = await startFixture();
    const f = fx;
    expect((await f.request('POST', '/install')).status).toBe(202);
    await until(() => f.server.store.status().state === 'installed', 'installed');
    const before = f.server.runner.started;
    const answers = await Promise.all(Array.from({ length: 50 }, () => f.request('GET', '/servers')));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(f.server.runner.started - before).toBeLessThanOrEqual(2);
  });
});

/** A small deterministic generator (mulberry32), so that a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz', () => {
  it('2,000 malformed requests from a fixed seed get no 5xx but documented install failures', async () => {
    // Installs fail at once (nothing listens there), so that the fuzz runs quickly.
    fx = await startFixture({ env: { CARAPACE_UV_MIRROR: 'http://127.0.0.1:9/uv' } });
    const f = fx;
    const port = new URL(f.server.url).port;
    const next = random(20261202);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'];
    const paths = [
      '/status',
      '/install',
      '/servers',
      '/servers/web-1',
      '/servers/%E0%A4%A',
      '/servers/%',
      '/servers/a%00b',
      '/servers/..%2F..%2Fetc',
      '/clouds/check',
      '/operations/x/cancel',
      '/operations/%ZZ/cancel',
      '/app-info',
      '/nope',
      '/?token=%',
      '/status?x=%',
      '/servers?name=%E0',
    ];
    const types = [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin-7',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      '',
    ];
    const encodings = ['', 'gzip', 'deflate', 'br', 'identity', 'x-unknown'];
    const values: unknown[] = [
      'web-1',
      { toString: 1 },
      { valueOf: 1 },
      [1, [2]],
      null,
      true,
      -1,
      Number.POSITIVE_INFINITY,
      'yes',
      '\u0000',
      'x'.repeat(300),
      { idle_minutes: '5' },
    ];
    const bodyOf = (): Buffer => {
      const kind = next();
      if (kind < 0.2) return Buffer.from(JSON.stringify(pick(values)));
      if (kind < 0.6) {
        const body: Record<string, unknown> = {};
        for (const key of ['name', 'cloud', 'region', 'cpus', 'memory', 'ports', 'force', 'autostop', 'dryrun', 'x']) {
          if (next() < 0.4) body[key] = pick(values);
        }
        return Buffer.from(JSON.stringify(body));
      }
      if (kind < 0.7)
        return gzipSync(JSON.stringify({ name: 'web-1', dryrun: true })).subarray(0, Math.floor(next() * 20));
      if (kind < 0.8) return Buffer.from('{"name": "web-1", "dryrun": tru');
      if (kind < 0.9) return Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]);
      return Buffer.alloc(0);
    };
    const failures: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const method = pick(methods);
      const path = pick(paths);
      const body = method === 'GET' || method === 'HEAD' || next() < 0.1 ? undefined : bodyOf();
      const headers: Record<string, string> = { host: `127.0.0.1:${port}`, authorization: `Bearer ${f.server.token}` };
      const type = pick(types);
      if (type) headers['content-type'] = type;
      const encoding = pick(encodings);
      if (encoding && body) headers['content-encoding'] = encoding;
      if (body) headers['content-length'] = String(body.length);
      const answer = await raw(f, method, path, headers, body);
      if (answer.status >= 500) {
        const code = (JSON.parse(answer.body || '{}') as { code?: string }).code ?? '';
        if (!(INSTALLER_ERROR_CODES as readonly string[]).includes(code) || code === 'internal') {
          failures.push(`#${i} ${method} ${path} ${JSON.stringify(headers)} -> ${answer.status} ${answer.body}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
