/**
 * The Docker image pre-installs SkyPilot with the installer script, proven by a
 * real build with buildah (no Docker engine here) on a local Debian base, against
 * the test mirror. Run by `npm test` after the other suites; needs root, buildah
 * and debootstrap (skipped loudly without them, and required in CI).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mirror, startMirror } from '../mirror/server.js';

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

describe.skipIf(missing.length > 0)('the container image', () => {
  let mirror: Mirror;
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
    );
    return (await buildah([...args, '-t', tag, context], BUILD_TIMEOUT)).stdout;
  }

  beforeAll(async () => {
    base = (await run('sh', ['test/container/make-base.sh'], { env, timeout: BUILD_TIMEOUT })).stdout.trim();
    mirror = await startMirror();
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

  it('runs a server that reports installed, without running the installer', async () => {
    const port = await freePort();
    const output = await inside(
      `CARAPACE_HOST=127.0.0.1 CARAPACE_PORT=${port} node dist/main.js >/tmp/server.log 2>&1 & pid=$!
       for i in $(seq 50); do curl -sf http://127.0.0.1:${port}/health >/dev/null && break; sleep 0.2; done
       curl -sf -H "Authorization: Bearer $(cat "$CARAPACE_HOME/server-token")" http://127.0.0.1:${port}/status
       kill $pid; wait $pid`,
    );
    expect(JSON.parse(output)).toMatchObject({
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

  it('runs as a non-root user with a real HOME and a BASE_IMAGE that tests can replace', () => {
    expect(instructions[0]).toBe('ARG BASE_IMAGE=node:24-bookworm-slim');
    expect(instructions).toContain('USER carapace');
    expect(dockerfile).toMatch(/ENV HOME=\/home\/carapace \\\n\s+CARAPACE_HOME=\/home\/carapace\/\.carapace/);
  });
});
