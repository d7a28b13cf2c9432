// Hostile input against the server: GETs that must not install, a non-loopback bind
// with a forged Host, wrong tokens, event-stream clients that never read, special
// files in CARAPACE_HOME, a marker written by hand, a crowd of identical requests,
// passwords in addresses, and a fuzz of malformed requests from a fixed seed.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstallStatus } from '../../src/api.js';
import { HOME_OWNERSHIP, INSTALLER_ERROR_CODES, type Marker } from '../../src/contract.js';
import { writeSettingsFile } from '../../src/settings/file.js';
import { readSmallFile } from '../../src/status/files.js';
import { type StandinApiServer, startStandinApiServer } from '../standins/api-server.js';
import { type Fixture, startFixture, until } from '../support/fixture.js';
import { Listener } from '../support/sse.js';
import { mkfifoSync } from './fifo.js';

let fx: Fixture | undefined;
let team: StandinApiServer | undefined;
const sockets: Socket[] = [];
const listeners: Listener[] = [];
const children: ChildProcess[] = [];
/** Root can run processes and own files as another user (the probe ran as root); anyone else, only as itself. */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const listener of listeners.splice(0)) listener.close();
  for (const child of children.splice(0)) child.kill();
  await fx?.close();
  await team?.close();
  fx = undefined;
  team = undefined;
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

  it('a stream pipelined behind another on one connection gives its place back when the connection closes', async () => {
    fx = await startFixture({ heartbeatMs: 60_000 });
    const f = fx;
    const port = Number(new URL(f.server.url).port);
    const request = `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${f.server.token}\r\n\r\n`;
    const socket = connect(port, '127.0.0.1', () => socket.write(request + request));
    socket.on('error', () => undefined);
    sockets.push(socket);
    // The second waits behind the first, which never ends: it never gets the connection.
    await until(() => f.server.events.clientCount === 2, 'both streams');
    socket.destroy();
    await until(() => f.server.events.clientCount === 0, 'both places given back');
    expect(f.server.events.clientCount).toBe(0);
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

describe('files the server writes in CARAPACE_HOME', () => {
  it('a link at the servers folder is replaced, and what it points to is left alone', async () => {
    fx = await startFixture();
    const f = fx;
    const outside = join(f.root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(f.home, 'servers'));
    const launch = await f.request('POST', '/servers', { name: 'web-1', cpus: '2+', dryrun: true });
    expect(launch.status).toBe(202);
    const { task_file: taskFile } = (await launch.json()) as { task_file: string };
    expect(lstatSync(join(f.home, 'servers')).isDirectory()).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync(taskFile).isFile()).toBe(true);
  });

  it('two launches of one name at once never share a task file', async () => {
    fx = await startFixture();
    const f = fx;
    const [two, four] = await Promise.all(
      ['2+', '4+'].map(async (cpus) => {
        const response = await f.request('POST', '/servers', { name: 'web-1', cpus, dryrun: true });
        expect(response.status).toBe(202);
        return ((await response.json()) as { task_file: string }).task_file;
      }),
    );
    expect(two).not.toBe(four);
    expect(readFileSync(two ?? '', 'utf8')).toContain('cpus: "2+"');
    expect(readFileSync(four ?? '', 'utf8')).toContain('cpus: "4+"');
  });

  it('a FIFO or a link at the server token neither hangs the server nor is written through', async () => {
    fx = await startFixture();
    const f = fx;
    const token = join(f.home, 'server-token');
    const outside = join(f.root, 'outside.txt');
    writeFileSync(outside, "not Carapace's\n");
    for (const plant of [() => mkfifoSync(token), () => symlinkSync(outside, token)]) {
      await f.server.close();
      rmSync(token, { force: true });
      plant();
      // An open for writing would wait for a reader of the FIFO forever: the start is the test.
      await f.restart();
      expect(lstatSync(token).isFile()).toBe(true);
      expect(readFileSync(token, 'utf8').trim()).toBe(f.server.token);
      expect((await f.request('GET', '/status')).status).toBe(200);
    }
    expect(readFileSync(outside, 'utf8')).toBe("not Carapace's\n");
  });
});

describe('a token planted in CARAPACE_HOME', () => {
  const planted = 'planted-by-someone-else-0123456789abcdef';

  it("in a folder others may write in (another user's, as root), the server does not start, and says why", async () => {
    fx = await startFixture();
    const f = fx;
    await f.server.close();
    // The probe: a folder 0777 (nobody's) holding a server-token 0644 (nobody's) with a token the attacker knows.
    chmodSync(f.home, 0o777);
    writeFileSync(join(f.home, 'server-token'), `${planted}\n`);
    chmodSync(join(f.home, 'server-token'), 0o644);
    if (asRoot) for (const path of [f.home, join(f.home, 'server-token')]) chownSync(path, NOBODY, NOBODY);
    const started = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, CARAPACE_HOME: f.home, CARAPACE_PORT: '0', HOME: f.userHome },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(started.status).toBe(2);
    expect(started.stderr).toContain(`carapace: ${HOME_OWNERSHIP.message} ${f.home}. ${HOME_OWNERSHIP.hint}`);
    expect(started.stdout).not.toContain(planted);
    // Not adopted, not rewritten: the file is as the attacker left it.
    const token = lstatSync(join(f.home, 'server-token'));
    expect(token.mode & 0o777).toBe(0o644);
    expect(token.uid).toBe(asRoot ? NOBODY : process.getuid?.());
    await expect(f.restart()).rejects.toThrow(HOME_OWNERSHIP.message);
  });

  /** Plants the known token in the fixture's own folder, restarts, and checks that it is not the one asked for. */
  async function plantedIsRefused(mode: number, owner: number | undefined): Promise<void> {
    fx = await startFixture();
    const f = fx;
    await f.server.close();
    const file = join(f.home, 'server-token');
    writeFileSync(file, `${planted}\n`);
    chmodSync(file, mode);
    if (owner !== undefined) chownSync(file, owner, owner);
    await f.restart();
    expect(f.server.token).not.toBe(planted);
    expect(f.server.pageUrl).not.toContain(planted);
    const port = new URL(f.server.url).port;
    const asking = (token: string) =>
      raw(f, 'GET', '/status', { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` });
    expect((await asking(planted)).status).toBe(401);
    expect((await asking(f.server.token)).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(`${f.server.token}\n`);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(lstatSync(file).uid).toBe(process.getuid?.());
  }

  it("in the user's own folder, a token file others could read is taken as leaked: a new one is made", async () => {
    await plantedIsRefused(0o644, undefined);
  });

  it.skipIf(!asRoot)(
    "in the user's own folder, a token file another user owns, even 0600, is taken as leaked",
    async () => {
      await plantedIsRefused(0o600, NOBODY);
    },
  );
});

describe('wrong tokens', () => {
  it('are answered ever later, while the right token is answered at once', async () => {
    fx = await startFixture();
    const f = fx;
    const port = new URL(f.server.url).port;
    const asking = (token: string) =>
      raw(f, 'GET', '/status', { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` });
    const wrong = 'not-the-token-0123456789-0123456789';
    for (let i = 0; i < 4; i++) expect((await asking(wrong)).status).toBe(401);
    // The fifth waits longer still; the right token, sent after it, is not held up by it.
    const answered: string[] = [];
    const fifth = asking(wrong).then((answer) => answered.push(`wrong ${answer.status}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const right = asking(f.server.token).then((answer) => answered.push(`right ${answer.status}`));
    await Promise.all([fifth, right]);
    expect(answered).toEqual(['right 200', 'wrong 401']);
  });
});

describe('CARAPACE_TOKEN', () => {
  it('reaches neither the installer and uv, nor sky, nor SkyPilot API server', async () => {
    const token = 'given-in-the-environment-0123456789';
    fx = await startFixture({ env: { CARAPACE_TOKEN: token }, server: { token } });
    const f = fx;
    expect((await f.request('POST', '/clouds/check')).status).toBe(200);
    const status = await until(() => {
      const current = f.server.store.status();
      return current.api_server.pids.length > 0 && current;
    }, "SkyPilot's local API server");
    const records = readdirSync(join(f.root, 'uv-runs'));
    expect(records.filter((name) => name.startsWith('uv-run.')).length).toBeGreaterThan(0);
    expect(records.filter((name) => name.startsWith('sky-run.')).length).toBeGreaterThan(0);
    for (const record of records) {
      const text = readFileSync(join(f.root, 'uv-runs', record), 'utf8');
      expect(text, record).toContain('CARAPACE_HOME=');
      expect(text, record).not.toContain(token);
    }
    for (const pid of status.api_server.pids) {
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(environment).toContain('CARAPACE_HOME=');
      expect(environment).not.toContain(token);
    }
  });
});

describe("a team's API server with a user and password in its address", () => {
  it('the password, or a token as the user name, reaches no event, snapshot, answer or status', async () => {
    team = await startStandinApiServer();
    fx = await startFixture();
    const f = fx;
    const listener = new Listener(f.server.url, { token: f.server.token });
    listeners.push(listener);
    const secrets = ['Sup3r-Secret', 'ghp_0123456789TOKEN'];
    const shown = team.url.replace('http://', 'http://***@');
    const seen: string[] = [];
    for (const userinfo of ['alice:Sup3r-Secret', 'ghp_0123456789TOKEN']) {
      const endpoint = team.url.replace('http://', `http://${userinfo}@`);
      // Refused over plain http by PUT /settings (src/settings/address.ts): the stand-in team server has no
      // TLS, so the address is saved as an older Carapace, or a hand edit, left it.
      writeSettingsFile(join(f.home, 'settings.json'), { CARAPACE_SKYPILOT_API_SERVER: endpoint });
      f.server.store.settingsChanged();
      seen.push(await (await f.request('GET', '/settings')).text());
      // sky check ends with "Using SkyPilot API server: <endpoint>", as SkyPilot prints it.
      const check = await f.request('POST', '/clouds/check');
      expect(check.status).toBe(200);
      const answer = await check.text();
      expect(answer).toContain(`Using SkyPilot API server: ${shown}`);
      seen.push(answer);
      // A failure names the server in SkyPilot's words and in Carapace's.
      team.setMode('auth');
      const failed = await f.request('POST', '/clouds/check');
      expect((await failed.json()) as { code: string }).toMatchObject({ code: 'sky-api-unauthorized' });
      team.setMode('healthy');
      for (const path of ['/status', '/settings']) seen.push(await (await f.request('GET', path)).text());
    }
    await until(
      () => listener.of('operation').filter((event) => event.data.event === 'end').length >= 4,
      'the four checks to end',
    );
    expect(JSON.stringify(listener.events)).toContain(`Authentication required for SkyPilot API server at ${shown}`);
    seen.push(JSON.stringify(listener.events));
    const late = new Listener(f.server.url, { token: f.server.token });
    listeners.push(late);
    const snapshot = await late.waitFor((event) => event.type === 'snapshot', 'a snapshot');
    expect(JSON.stringify(snapshot.data)).toContain(`Using SkyPilot API server: ${shown}`);
    seen.push(JSON.stringify(snapshot.data));
    for (const text of seen) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(existsSync(join(f.home, 'settings.json'))).toBe(true);
    expect(readFileSync(join(f.home, 'settings.json'), 'utf8')).toContain('ghp_0123456789TOKEN@');
  });
});

describe('addresses written without "//", which uv, curl and Python read as authorities all the same', () => {
  it.each([
    [
      'https:user:pw@host',
      (hostPort: string) => `http:alice:Sup3r-Secret@${hostPort}`,
      'https:bob:Pr0xy-Secret@proxy.example:3128',
    ],
    [
      'http:/user:pw@host',
      (hostPort: string) => `http:/alice:Sup3r-Secret@${hostPort}`,
      'http:/bob:Pr0xy-Secret@proxy.example:3128',
    ],
  ])(
    '%s as the team server and the proxy: the passwords reach no answer, event, snapshot or status',
    async (_form, teamAddress, proxy) => {
      team = await startStandinApiServer();
      const hostPort = team.url.replace('http://', '');
      const endpoint = teamAddress(hostPort);
      // From the environment, which no PUT /settings checks.
      fx = await startFixture({ env: { CARAPACE_SKYPILOT_API_SERVER: endpoint, HTTPS_PROXY: proxy } });
      const f = fx;
      const listener = new Listener(f.server.url, { token: f.server.token });
      listeners.push(listener);
      const seen: string[] = [];
      const settings = await f.request('GET', '/settings');
      const shown = (await settings.json()) as { settings: { name: string; value: string }[] };
      seen.push(JSON.stringify(shown));
      expect(shown.settings.find((setting) => setting.name === 'CARAPACE_SKYPILOT_API_SERVER')?.value).toBe(
        endpoint.replace('alice:Sup3r-Secret', '***'),
      );
      expect(shown.settings.find((setting) => setting.name === 'HTTPS_PROXY')?.value).toBe(
        proxy.replace('bob:Pr0xy-Secret', '***'),
      );
      // The check answers or fails, naming the server either way.
      seen.push(await (await f.request('POST', '/clouds/check')).text());
      await until(() => listener.of('operation').some((event) => event.data.event === 'end'), 'the check to end');
      const status = await (await f.request('GET', '/status')).text();
      expect(status).toContain(endpoint.replace('alice:Sup3r-Secret', '***'));
      seen.push(status, JSON.stringify(listener.events));
      const late = new Listener(f.server.url, { token: f.server.token });
      listeners.push(late);
      seen.push(JSON.stringify((await late.waitFor((event) => event.type === 'snapshot', 'a snapshot')).data));
      for (const text of seen)
        for (const secret of ['Sup3r-Secret', 'Pr0xy-Secret']) expect(text).not.toContain(secret);
    },
  );
});

describe("processes that pass for SkyPilot's local API server", () => {
  it("another user's, and ours whose program is not Carapace's, are not taken for it", async () => {
    fx = await startFixture();
    const f = fx;
    // A program outside CARAPACE_HOME, runnable by nobody too, whose arguments read as the probe's.
    chmodSync(f.root, 0o755);
    const program = join(f.root, 'python3');
    writeFileSync(program, "#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 1; done\n", { mode: 0o755 });
    const args = ['-m', 'sky.server.server', '--host=127.0.0.1', `${f.home}/x`];
    children.push(spawn(program, args, { stdio: 'ignore' }));
    // As root: nobody's process, under root's runuser, which names the home too.
    if (asRoot) children.push(spawn('runuser', ['-u', 'nobody', '--', program, ...args], { stdio: 'ignore' }));
    const posing = () =>
      readdirSync('/proc').filter((pid) => {
        const line = /^\d+$/.test(pid) ? (readSmallFile(`/proc/${pid}/cmdline`) ?? '') : '';
        return line.includes('sky.server.server') && line.includes(`${f.home}/x`);
      });
    await until(() => posing().length === (asRoot ? 3 : 1), 'the processes to start');
    await f.server.store.refreshApiServer();
    const status = (await (await f.request('GET', '/status')).json()) as InstallStatus;
    expect(status.api_server).toMatchObject({ running: false, pids: [] });
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
