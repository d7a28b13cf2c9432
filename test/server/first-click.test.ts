// The spec's user: SkyPilot is missing, they click, it installs with progress on the event stream, then the action runs.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, startFixture, until } from '../support/fixture.js';
import { Listener, type Received, sequenceOf } from '../support/sse.js';

let fx: Fixture;
let sse: Listener;

beforeEach(async () => {
  fx = await startFixture();
  sse = new Listener(fx.server.url, { token: fx.server.token });
  await sse.waitFor((e) => e.type === 'snapshot', 'the snapshot');
});

afterEach(async () => {
  sse.close();
  await fx.close();
});

/** The phases of the install events, consecutive repeats folded. */
function phases(events: Received[]): string[] {
  return events.map((e) => String(e.data.phase)).filter((phase, i, all) => phase !== all[i - 1]);
}

async function status(): Promise<Record<string, unknown>> {
  return (await (await fx.request('GET', '/status')).json()) as Record<string, unknown>;
}

describe('Check Clouds on a machine without SkyPilot', () => {
  it('installs it, streaming the phases in order, then answers with the clouds', async () => {
    expect(await status()).toMatchObject({ state: 'not_installed', source: null, sky_path: null, last_error: null });
    const response = await fx.request('POST', '/clouds/check');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      enabled: unknown;
      disabled: { name: string; missing_extra: string | null }[];
      raw: string;
    };
    expect(body.enabled).toEqual([{ name: 'AWS', capabilities: ['compute', 'storage'] }]);
    // Every other cloud a full check prints; Add only for those Carapace offers whose libraries it lacks.
    expect(body.disabled.map((c) => [c.name, c.missing_extra])).toEqual([
      ['Azure', 'azure'],
      ['Cloudflare', null],
      ['CoreWeave', null],
      ['Cudo', null],
      ['Fluidstack', null],
      ['GCP', 'gcp'],
      ['HuggingFace', null],
      ['Hyperbolic', null],
      ['IBM', 'ibm'],
      ['Kubernetes', 'kubernetes'],
      ['Lambda', null],
      ['Mithril', null],
      ['Nebius', 'nebius'],
      ['OCI', 'oci'],
      ['Paperspace', null],
      ['PrimeIntellect', null],
      ['RunPod', 'runpod'],
      ['SCP', null],
      ['Seeweb', null],
      ['Shadeform', null],
      ['Slurm', null],
      ['Vast', null],
      ['VastData', null],
      ['Verda', null],
      ['Yotta', null],
      ['vSphere', null],
    ]);
    expect(body.raw).toContain('Checking credentials to enable infra for SkyPilot.');

    const end = await sse.waitFor((e) => e.type === 'operation' && e.data.event === 'end', 'the check to end');
    expect(end.data).toMatchObject({ kind: 'check', ok: true, exit_code: 0 });
    const installs = sse.of('install');
    expect(phases(installs)).toEqual(['checking', 'downloading', 'verifying', 'installing', 'verifying', 'complete']);
    expect(installs.some((e) => /^Downloading package manager/.test(String(e.data.message)))).toBe(true);
    expect(installs.some((e) => /^Installing cloud tools/.test(String(e.data.message)))).toBe(true);
    expect(new Set(installs.map((e) => e.data.install_id)).size).toBe(1);
    // the install finished before the action started
    const firstOperation = sse.of('operation')[0];
    expect(sequenceOf(firstOperation?.id ?? '')).toBeGreaterThan(sequenceOf(installs.at(-1)?.id ?? ''));
    expect(
      sse.of('operation').some((e) => e.data.event === 'line' && e.data.line === '  AWS: enabled [compute, storage]'),
    ).toBe(true);
    const states = sse.of('status').map((e) => e.data.state);
    expect(states[0]).toBe('installing');
    expect(states.at(-1)).toBe('installed');
    expect(fx.uvInstalls()).toBe(1);
  });

  it('then answers the next click at once, with no install', async () => {
    expect((await fx.request('POST', '/clouds/check')).status).toBe(200);
    const before = sse.of('install').length;
    expect((await fx.request('POST', '/clouds/check')).status).toBe(200);
    expect(sse.of('install').length).toBe(before);
    expect(fx.server.session.runs).toBe(1);
  });
});

describe('Launch Server on a machine without SkyPilot', () => {
  it('installs it, launches with sky, lists the server, and tears it down', async () => {
    const response = await fx.request('POST', '/servers', {
      name: 'web-1',
      cloud: 'aws',
      region: 'us-east-1',
      cpus: '2+',
    });
    expect(response.status).toBe(202);
    const { operation_id, task_file } = (await response.json()) as { operation_id: string; task_file: string };
    expect(dirname(task_file)).toBe(join(fx.home, 'servers'));
    expect(basename(task_file)).toMatch(/^web-1\.[0-9a-f]{12}\.yaml$/);
    expect(readFileSync(task_file, 'utf8')).toContain('infra: "aws/us-east-1"');
    expect(phases(sse.of('install')).at(-1)).toBe('complete');

    const end = await sse.waitFor(
      (e) => e.data.operation_id === operation_id && e.data.event === 'end',
      'launch to end',
    );
    expect(end.data).toMatchObject({
      kind: 'launch',
      name: 'web-1',
      ok: true,
      exit_code: 0,
      message: 'Server web-1 is up.',
    });
    const lines = sse.of('operation').filter((e) => e.data.operation_id === operation_id && e.data.event === 'line');
    expect(lines.map((e) => e.data.line)).toContain(
      '✓ Cluster launched: web-1.  View logs: sky logs --provision web-1',
    );
    const start = sse.of('operation').find((e) => e.data.operation_id === operation_id && e.data.event === 'start');
    expect(start?.data.command).toEqual(['sky', 'launch', '--async', '-y', '-c', 'web-1', task_file]);

    const listed = (await (await fx.request('GET', '/servers')).json()) as {
      installed: boolean;
      servers: { name: string; status: string }[];
    };
    expect(listed).toMatchObject({
      installed: true,
      servers: [{ name: 'web-1', status: 'UP', infra: 'AWS (us-east-1a)' }],
    });

    const down = await fx.request('DELETE', '/servers/web-1');
    expect(down.status).toBe(202);
    const { operation_id: downId } = (await down.json()) as { operation_id: string };
    const downEnd = await sse.waitFor((e) => e.data.operation_id === downId && e.data.event === 'end', 'teardown');
    expect(downEnd.data).toMatchObject({ kind: 'down', ok: true, message: 'Server web-1 was torn down.' });
    expect(((await (await fx.request('GET', '/servers')).json()) as { servers: unknown[] }).servers).toEqual([]);
  });

  it('previews with --dryrun and launches nothing', async () => {
    const response = await fx.request('POST', '/servers', { name: 'preview', dryrun: true });
    expect(response.status).toBe(202);
    const { operation_id } = (await response.json()) as { operation_id: string };
    const end = await sse.waitFor((e) => e.data.operation_id === operation_id && e.data.event === 'end', 'dry run');
    expect(end.data).toMatchObject({ ok: true, message: 'Preview of preview finished: nothing was launched.' });
    expect(((await (await fx.request('GET', '/servers')).json()) as { servers: unknown[] }).servers).toEqual([]);
  });
});

describe('GET /status', () => {
  it('says installing while the install runs, with its id and start, then installed with the versions', async () => {
    fx.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 500_000 }]);
    const started = await fx.request('POST', '/install');
    expect(started.status).toBe(202);
    const { install_id } = (await started.json()) as { install_id: string };
    const during = await status();
    expect(during).toMatchObject({ state: 'installing', install_id, source: null, carapace_home: fx.home });
    expect(Date.parse(String(during.installing_since))).toBeGreaterThan(Date.now() - 60_000);
    expect((await fx.request('POST', '/install')).status).toBe(202); // joins
    await sse.waitFor((e) => e.type === 'status' && e.data.state === 'installed', 'installed');
    expect(await status()).toMatchObject({
      state: 'installed',
      source: 'managed',
      uv_version: '0.12.5',
      sky_version: '1.0.0.dev20261120',
      sky_path: join(fx.home, 'tools', 'bin', 'sky'),
      installing_since: null,
      install_id: null,
      last_error: null,
    });
    expect(fx.server.session.runs).toBe(1);
    expect((await fx.request('POST', '/install')).status).toBe(200);
    expect(existsSync(join(fx.home, 'install.lock'))).toBe(false);
  });

  it('says whether the local API server of this install runs, without starting a process to find out', async () => {
    expect(await status()).toMatchObject({ api_server: { running: false, pids: [] } });
    await fx.request('POST', '/clouds/check');
    const seen = await sse.waitFor(
      (e) => e.type === 'status' && (e.data.api_server as { running: boolean }).running,
      'the API server',
    );
    const pids = (seen.data.api_server as { pids: number[] }).pids;
    expect(pids).toHaveLength(1);
    expect(readFileSync(`/proc/${pids[0]}/cmdline`, 'utf8')).toContain('-m\0sky.server.server');
    expect(await status()).toMatchObject({ api_server: { running: true }, extras: ['aws'] });
  });

  it('repairs with {"force": true} even when installed', async () => {
    await fx.request('POST', '/clouds/check');
    const repair = await fx.request('POST', '/install', { force: true });
    expect(repair.status).toBe(202);
    await until(() => fx.server.session.runs === 2 && fx.server.store.status().state === 'installed', 'the repair');
    expect(fx.uvInstalls()).toBe(2);
  });
});
