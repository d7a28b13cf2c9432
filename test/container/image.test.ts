/**
 * The Docker image pre-installs SkyPilot with the installer script, proven by a
 * real build with buildah (no Docker engine here) on a local Debian base, against
 * the test mirror, through a proxy that asks for a password. Run by `npm test`
 * after the other suites; needs root, buildah and debootstrap (skipped loudly
 * without them, and required in CI).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { posixQuote } from '../../src/process/quote.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { startFixture } from '../support/fixture.js';

const run = promisify(execFile);
const IMAGE = 'localhost/carapace-test:latest';
const BUILD_TIMEOUT = 30 * 60_000;
const env = { ...process.env, STORAGE_DRIVER: 'vfs' };

async function has(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

const missing = [
  ...(process.getuid?.() === 0 ? [] : ['root']),
  ...((await has('buildah')) ? [] : ['buildah']),
  ...((await has('debootstrap')) ? [] : ['debootstrap']),
];
if (missing.length) {
  const message = `the container test needs ${missing.join(', ')} (apt-get install buildah debootstrap)`;
  if (process.env.CARAPACE_REQUIRE_ALL) throw new Error(`${message} and CARAPACE_REQUIRE_ALL is set`);
  console.warn(`SKIPPING: ${message}`);
}

function buildah(args: string[], timeout = 120_000) {
  return run('buildah', args, { env, timeout, maxBuffer: 64 * 1024 * 1024 });
}

/** A port nobody listens on, for the server started inside the image. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The command of the Dockerfile's HEALTHCHECK (exec form). */
function healthcheckOf(dockerfile: string): string[] {
  const found = /^HEALTHCHECK [^\n]*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile);
  if (!found?.[1]) throw new Error('the Dockerfile has no HEALTHCHECK CMD [...]');
  return JSON.parse(found[1]) as string[];
}

/**
 * A company's proxy, which asks for a user and a password (407 without them):
 * http:// requests are forwarded, https:// goes through CONNECT tunnels (npm's
 * registry, in the image's `npm ci`). It keeps the addresses it forwarded.
 */
async function startProxy(
  user: string,
  password: string,
): Promise<{ url: string; forwarded: string[]; close(): Promise<void> }> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const forwarded: string[] = [];
  const tunnels = new Set<Socket>();
  const server: Server = createHttpServer((req, res) => {
    if (req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    forwarded.push(target.href);
    const { 'proxy-authorization': _, ...headers } = req.headers;
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      tunnels.add(socket);
      socket.on('close', () => tunnels.delete(socket));
      socket.on('error', () => (socket === client ? upstream : client).destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${user}:${password}@127.0.0.1:${port}`,
    forwarded,
    close: () => {
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(missing.length > 0)('the container image', () => {
  let mirror: Mirror;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  /** The proxy's password, given as a build arg: it must be nowhere in the image. */
  const secret = `SECRET-${randomBytes(8).toString('hex')}`;
  let container = '';

  let base = '';

  /** Builds the Dockerfile in `context` against the test mirror; returns buildah's output. */
  async function build(tag: string, context: string): Promise<string> {
    const args = ['bud', '--isolation=chroot', '--format=docker', '--layers', '--build-arg', `BASE_IMAGE=${base}`];
    // A RUN step of a chroot build shares the host's network, loopback included.
    args.push(
      '--build-arg',
      `CARAPACE_UV_MIRROR=${mirror.uvBase}`,
      '--build-arg',
      `UV_DEFAULT_INDEX=${mirror.indexUrl}`,
      // As the README says to build behind a proxy; the mirror is http://, which curl
      // sends through the lower-case http_proxy only.
      '--build-arg',
      `HTTPS_PROXY=${proxy.url}`,
      '--build-arg',
      `http_proxy=${proxy.url}`,
    );
    return (await buildah([...args, '-t', tag, context], BUILD_TIMEOUT)).stdout;
  }

  beforeAll(async () => {
    base = (await run('sh', ['test/container/make-base.sh'], { env, timeout: BUILD_TIMEOUT })).stdout.trim();
    mirror = await startMirror();
    proxy = await startProxy('carapace', secret);
    const started = Date.now();
    await build(IMAGE, '.');
    const seconds = Math.round((Date.now() - started) / 1000);
    const size = (await buildah(['images', '--format', '{{.Size}}', IMAGE])).stdout.trim();
    console.log(`container image: built in ${seconds} s (base ready), size ${size}`);
    mirror.reset();
    container = (await buildah(['from', '--quiet', IMAGE])).stdout.trim();
  }, BUILD_TIMEOUT);

  afterAll(async () => {
    if (container) await buildah(['rm', container]).catch(() => undefined);
    await mirror?.close();
    await proxy?.close();
  });

  /** Runs a shell command inside the built image, as its user. */
  async function inside(command: string): Promise<string> {
    return (await buildah(['run', '--isolation=chroot', container, '--', 'sh', '-c', command])).stdout;
  }

  it('was installed at build time: the marker, and a sky that runs', async () => {
    const marker = JSON.parse(await inside('cat "$CARAPACE_HOME/install.json"')) as Record<string, string>;
    expect(marker).toMatchObject({
      uv_version: '0.12.5',
      sky_version: '1.0.0.dev20261120',
      spec: 'skypilot-nightly[aws]',
    });
    expect(await inside('echo "$HOME $CARAPACE_HOME $(id -un)"')).toBe(
      '/home/carapace /home/carapace/.carapace carapace\n',
    );
    expect(await inside('"$CARAPACE_HOME/tools/bin/sky" --version')).toBe('skypilot, version 1.0.0.dev20261120\n');
  });

  it('was built through the proxy, whose password is nowhere in the image: history, config or files', async () => {
    // The installer's downloads from the mirror (http://) went through it: the build args reached the install step.
    expect(proxy.forwarded.filter((address) => address.startsWith(mirror.uvBase)).length).toBeGreaterThan(0);
    const inspected = (await buildah(['inspect', '--type', 'image', IMAGE])).stdout;
    expect(inspected).toContain('sh scripts/install-skypilot.sh'); // the history is there, and read
    expect(inspected).not.toContain(secret);
    expect(await inside(`grep -rlF ${posixQuote(secret)} /home/carapace /etc /tmp 2>/dev/null; echo done`)).toBe(
      'done\n',
    );
  });

  it('has what the installer and a real sky launch run: ps, ssh, rsync', async () => {
    expect(await inside('for tool in ps ssh rsync; do command -v "$tool" >/dev/null && echo "$tool"; done')).toBe(
      'ps\nssh\nrsync\n',
    );
  });

  it('takes the installer fast path when run again', async () => {
    expect(await inside('sh scripts/install-skypilot.sh')).toBe(
      '[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at /home/carapace/.carapace/tools/bin/sky\n',
    );
    expect(mirror.requests()).toEqual([]);
  });

  it('runs a server that reports installed, without running the installer; its HEALTHCHECK follows CARAPACE_PORT', async () => {
    const port = await freePort();
    const image = JSON.parse((await buildah(['inspect', '--type', 'image', IMAGE])).stdout) as {
      Docker: { config: { Healthcheck: { Test: string[] } } };
    };
    const [form, ...healthcheck] = image.Docker.config.Healthcheck.Test;
    expect(form).toBe('CMD');
    const [output, health] = (
      await inside(
        `export CARAPACE_HOST=127.0.0.1 CARAPACE_PORT=${port}; node dist/main.js >/tmp/server.log 2>&1 & pid=$!
         for i in $(seq 50); do curl -sf http://127.0.0.1:${port}/health >/dev/null && break; sleep 0.2; done
         curl -sf -H "Authorization: Bearer $(cat "$CARAPACE_HOME/server-token")" http://127.0.0.1:${port}/status
         echo; ${healthcheck.map(posixQuote).join(' ')}; echo "healthcheck exit $?"
         kill $pid; wait $pid`,
      )
    ).split('\n');
    expect(health).toBe('healthcheck exit 0');
    expect(JSON.parse(output ?? '')).toMatchObject({
      state: 'installed',
      source: 'managed',
      sky_path: '/home/carapace/.carapace/tools/bin/sky',
      install_id: null,
      last_error: null,
    });
    expect(mirror.requests()).toEqual([]);
    expect(await inside('ls "$CARAPACE_HOME/logs"')).toBe('install.log\n'); // the build's only
  });

  it('keeps the install layer cached when the app changes', async () => {
    const context = mkdtempSync(join(tmpdir(), 'carapace-context-'));
    let output: string[];
    try {
      const tracked = (await run('git', ['ls-files', '-z'])).stdout.split('\0').filter(Boolean);
      for (const file of tracked) {
        mkdirSync(join(context, dirname(file)), { recursive: true });
        copyFileSync(file, join(context, file));
      }
      appendFileSync(join(context, 'public', 'app.css'), '\n/* an app change */\n');
      output = (await build(`${IMAGE}-changed`, context)).split('\n');
      await buildah(['rmi', `${IMAGE}-changed`]).catch(() => undefined);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    /** What buildah says right after a step: "--> Using cache <id>" when the layer was reused. */
    const after = (step: string) => output[output.findIndex((line) => line.endsWith(step)) + 1] ?? '';
    expect(after('RUN sh scripts/install-skypilot.sh')).toMatch(/^--> Using cache /);
    expect(after('COPY --chown=carapace:carapace public ./public')).not.toMatch(/Using cache/);
    expect(mirror.requests()).toEqual([]);
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^[A-Z]+\s/.test(line));

  it('has exactly one install step, and it is the script', () => {
    const steps = instructions.filter((line) => /^(RUN|COPY|ADD) /.test(line));
    const installs = steps.filter((line) =>
      /install-skypilot|uv tool|uv-[a-z0-9_]+-|astral|pip install|skypilot/i.test(line),
    );
    expect(installs).toEqual([
      'COPY --chown=carapace:carapace scripts/install-skypilot.sh scripts/install-skypilot.sh',
      'RUN sh scripts/install-skypilot.sh',
    ]);
  });

  it('installs SkyPilot before copying the app, so that layer stays cached', () => {
    const finalStage = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));
    const install = finalStage.indexOf('RUN sh scripts/install-skypilot.sh');
    const firstAppCopy = finalStage.findIndex((line) => /^COPY .*(package\.json|dist|public)/.test(line));
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(firstAppCopy);
  });

  it('declares no proxy build arg, whose value the image history would keep', () => {
    const declared = instructions.filter((line) => line.startsWith('ARG ')).map((line) => line.split(/[ =]/)[1]);
    expect(declared.filter((name) => /proxy/i.test(name ?? ''))).toEqual([]);
    expect(declared).toContain('UV_DEFAULT_INDEX');
  });

  it('has a HEALTHCHECK that asks the port CARAPACE_PORT names', async () => {
    const [program, ...args] = healthcheckOf(dockerfile);
    expect(program).toBe('node');
    const fx = await startFixture();
    const closed = await freePort();
    try {
      const exitOf = (port: string) =>
        run(process.execPath, args, { env: { ...process.env, CARAPACE_PORT: port }, timeout: 30_000 }).then(
          () => 0,
          (error: { code?: number }) => error.code ?? -1,
        );
      expect(await exitOf(new URL(fx.server.url).port)).toBe(0);
      expect(await exitOf(String(closed))).toBe(1);
    } finally {
      await fx.close();
    }
  });

  it('runs as a non-root user with a real HOME and a BASE_IMAGE that tests can replace', () => {
    expect(instructions[0]).toBe('ARG BASE_IMAGE=node:24-bookworm-slim');
    expect(instructions).toContain('USER carapace');
    expect(dockerfile).toMatch(/ENV HOME=\/home\/carapace \\\n\s+CARAPACE_HOME=\/home\/carapace\/\.carapace/);
  });
});
