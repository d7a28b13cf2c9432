// The page's state (public/state.js), its progress (public/progress.js) and its words
// for sky's output (public/sky-text.js): pure functions, so that the same events
// always give the same page.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reasonSummary } from '../../public/panel-clouds.js';
import { emptyLogText } from '../../public/panel-log.js';
import {
  apiServerText,
  FIRST_INSTALL_MB,
  offersUninstall,
  statusNote,
  statusText,
  uninstallText,
} from '../../public/panel-status.js';
import { barValue, installLine, progressOf, timeLeft } from '../../public/progress.js';
import { previewChoice, resourcesText, statusWord } from '../../public/sky-text.js';
import {
  addableClouds,
  apply,
  busyOf,
  cloudsNotSetUp,
  initialState,
  LOG_LIMIT,
  nextStep,
  persisted,
  type State,
} from '../../public/state.js';
import { megabytes, readable } from '../../public/text.js';
import type { AppInfo, InstallEventData, InstallStatus, OperationEventData } from '../../src/api.js';
import { CLOUDS } from '../../src/sky/clouds.js';
import { REAL_SIZES } from '../mirror/artifacts.js';

const STATUS: InstallStatus = {
  state: 'not_installed',
  source: null,
  uv_version: null,
  sky_version: null,
  sky_path: null,
  carapace_home: '/home/u/.carapace',
  installing_since: null,
  install_id: null,
  last_error: null,
  extras: null,
  api_server: {
    endpoint: 'http://127.0.0.1:46580',
    team: false,
    source: 'default',
    restart_pending: false,
    running: false,
    pids: [],
  },
};

type Event = InstallEventData & { ts: number | null };

function event(phase: InstallEventData['phase'], message: string, more: Partial<Event> = {}): Event {
  return {
    install_id: 'i-1',
    job: 'install',
    cloud: null,
    phase,
    percent: null,
    bytes: null,
    total: null,
    code: null,
    message,
    hint: null,
    log: null,
    ts: 1000,
    ...more,
  };
}

let sequence = 0;
const install = (e: Event) => ({ type: 'install' as const, event: e, id: `boot-${++sequence}` });
const operation = (e: OperationEventData) => ({ type: 'operation' as const, event: e, id: `boot-${++sequence}` });

/** A fresh install's events: uv's archive (bytes of a total), then the packages (bytes of an estimate). */
function freshInstall(): Event[] {
  const at = (ts: number, phase: Event['phase'], bytes: number | null, total: number | null, message: string = phase) =>
    event(phase, message, { ts, bytes, total });
  return [
    at(0, 'checking', null, null),
    at(100, 'downloading', 0, 19e6),
    at(1100, 'downloading', 9.5e6, 19e6),
    at(2100, 'downloading', 19e6, 19e6),
    at(2200, 'verifying', null, null, 'Checking the SHA-256'),
    at(2300, 'installing', null, null, 'Installing cloud tools'),
    ...Array.from({ length: 20 }, (_, i) => at(3300 + i * 1000, 'installing', (i + 1) * 6e6, 128e6)),
    at(24000, 'verifying', null, null, 'Checking that SkyPilot runs'),
    at(25000, 'complete', null, null, 'ready'),
  ];
}

describe('the page state', () => {
  it('is not changed by apply: a new state comes back', () => {
    const before = initialState();
    const frozen = JSON.stringify(before);
    const after = apply(before, install(event('checking', 'Checking this system')));
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after.install).toHaveLength(1);
    expect(after.log.map((line) => line.text)).toEqual(['Checking this system']);
  });

  it('takes the terminal codes out of what it logs', () => {
    const state = apply(initialState(), {
      type: 'note',
      kind: 'note',
      text: '\u001b[36m\u001b[1mEnabled Infra:\u001b[0m aws\r',
    });
    expect(state.log[0]?.text).toBe('Enabled Infra: aws');
  });

  it(`keeps the last ${LOG_LIMIT} log lines, numbered`, () => {
    let state = initialState();
    for (let i = 0; i < LOG_LIMIT + 5; i++) state = apply(state, { type: 'note', kind: 'note', text: `line ${i}` });
    expect(state.log).toHaveLength(LOG_LIMIT);
    expect(state.log[0]?.text).toBe('line 5');
    expect(state.log.at(-1)?.n).toBe(LOG_LIMIT + 5);
  });

  it('follows a launch: running, then kept with its failure (an error with what to do) until the list drops it', () => {
    const base = { operation_id: 'o-1', kind: 'launch' as const, name: 'web-1' };
    let state = apply(initialState(), operation({ ...base, event: 'start', command: ['sky', 'launch'] }));
    expect(state.operations['o-1']).toMatchObject({ name: 'web-1', running: true });
    expect(busyOf(state).skyRunning).toBe(true);
    state = apply(
      state,
      operation({
        ...base,
        event: 'end',
        exit_code: 1,
        ok: false,
        message: 'The launch of web-1 failed.',
        hint: 'See the output.',
        code: 'sky-failed',
      }),
    );
    expect(state.operations['o-1']).toMatchObject({ running: false, failure: 'The launch of web-1 failed.' });
    expect(state.error).toMatchObject({ place: 'launch', body: { hint: 'See the output.' } });
    const listed = { installed: true, all_users: false, read_at: null, refreshed: false };
    const cluster = {
      name: 'web-1',
      infra: 'AWS (us-east-1a)',
      resources: '1x(cpus=2, mem=8, m6i.large, ...)',
      status: 'INIT',
      autostop: '-',
      launched: 'just now',
      workspace: null,
      user: null,
    };
    state = apply(state, { type: 'servers', answer: { ...listed, servers: [cluster] } });
    expect(state.operations['o-1']).toBeDefined();
    state = apply(state, { type: 'servers', answer: { ...listed, servers: [] } });
    expect(state.operations['o-1']).toBeUndefined();
  });

  it('a failure a retry cannot fix has no Retry; a cancelled install is no error', () => {
    const refused = apply(initialState(), {
      type: 'failed',
      error: { code: 'missing-tool', message: 'No ssh.', hint: 'Install it.' },
      action: { kind: 'launch', request: { name: 'web-1' } },
    });
    expect(refused.error).toMatchObject({ place: 'launch', retry: null });
    const network = apply(initialState(), {
      type: 'failed',
      error: { code: 'network', message: 'Offline.', hint: 'Check it.' },
      action: { kind: 'check' },
    });
    expect(network.error).toMatchObject({ place: 'clouds', retry: { kind: 'check' } });
    const cancelling = apply(initialState(), { type: 'started', action: { kind: 'cancel-install' } });
    const cancelled = apply(cancelling, {
      type: 'failed',
      error: { code: 'interrupted', message: 'Stopped.', hint: 'Again.' },
      action: { kind: 'install', force: false },
    });
    expect(cancelled.error).toBeNull();
  });

  it('a snapshot of the same server life keeps the log and adds only what it missed', () => {
    let state = apply(initialState(), install(event('checking', 'Checking', { install_id: 'i-3' })));
    const snapshot = {
      status: { ...STATUS, state: 'installing' as const },
      install: {
        id: 'i-3',
        events: [
          event('checking', 'Checking', { install_id: 'i-3' }),
          event('downloading', 'Downloading', { install_id: 'i-3' }),
        ],
      },
      operations: [],
      last_check: null,
      waiting_launches: [],
    };
    state = apply(state, { type: 'snapshot', snapshot, id: 'boot-99' });
    expect(state.log.map((line) => line.text)).toEqual(['Checking', 'Downloading']);
    // Another life (a restart): what it holds replaces what the tab remembered.
    state = apply(state, { type: 'snapshot', snapshot: { ...snapshot, install: null }, id: 'other-1' });
    expect(state.log).toEqual([]);
    expect(state.install).toEqual([]);
  });

  it("logs a failed sky run once: its end's words, not again under the action's title", () => {
    const message = 'The cloud check failed: the SkyPilot API server at http://team.example:46580 cannot be reached.';
    let state = apply(
      initialState(),
      operation({ operation_id: 'o-1', kind: 'check', name: null, event: 'start', command: ['sky', 'check'] }),
    );
    state = apply(
      state,
      operation({
        operation_id: 'o-1',
        kind: 'check',
        name: null,
        event: 'end',
        exit_code: 1,
        ok: false,
        message,
        hint: 'Check the team server address in Network settings and that the server is running, then retry.',
        code: 'sky-api-unreachable',
      }),
    );
    const error = { code: 'sky-api-unreachable' as const, message, hint: 'Check it.' };
    state = apply(state, { type: 'failed', error, action: { kind: 'check' } });
    expect(state.log.filter((line) => line.text.includes(message)).map((line) => line.text)).toEqual([message]);
    expect(state.error?.title).toBe('Check Clouds failed');
    // A failure nothing logged before (the request itself refused): logged under its title.
    const refused = apply(initialState(), {
      type: 'failed',
      error: { ...error, message: 'Refused.' },
      action: { kind: 'check' },
    });
    expect(refused.log.map((line) => line.text)).toEqual(['Check Clouds failed: Refused.']);
  });

  it('says in the log which sky runs ended while the page was away, and keeps the one still running', () => {
    let state = apply(
      initialState(),
      operation({ operation_id: 'o-1', kind: 'check', name: null, event: 'start', command: ['sky', 'check'] }),
    );
    state = apply(
      state,
      operation({ operation_id: 'o-2', kind: 'launch', name: 'web-2', event: 'start', command: ['sky', 'launch'] }),
    );
    state = apply(
      state,
      operation({ operation_id: 'o-3', kind: 'down', name: 'web-3', event: 'start', command: ['sky', 'down'] }),
    );
    state = apply(
      state,
      operation({
        operation_id: 'o-4',
        kind: 'launch',
        name: 'web-4',
        event: 'start',
        command: ['sky', 'launch', '--dryrun'],
      }),
    );
    const still = {
      operation_id: 'o-2',
      kind: 'launch' as const,
      name: 'web-2',
      started_at: '',
      request_id: null,
      lines: [],
    };
    const snapshot = { status: STATUS, install: null, operations: [still], last_check: null, waiting_launches: [] };
    const after = apply(state, { type: 'snapshot', snapshot, id: 'boot-999' });
    expect(after.log.slice(4).map((line) => [line.kind, line.text])).toEqual([
      ['note', 'sky check ended while the page reloaded: the Clouds list shows the last result.'],
      ['note', 'Tearing down web-3 ended while the page reloaded: the Servers list shows how it stands.'],
      ['note', 'The preview of web-4 ended while the page reloaded: Preview again to see it.'],
    ]);
    expect(Object.keys(after.operations)).toEqual(['o-2']);
    // From another server life the tab's log starts afresh: nothing of the old runs is said.
    expect(apply(state, { type: 'snapshot', snapshot, id: 'other-1' }).log).toEqual([]);
  });

  it('an uninstall makes what was read through SkyPilot untrue: no clouds, no servers, and says so', () => {
    let state: State = {
      ...initialState(),
      status: { ...STATUS, state: 'installed' },
      check: { enabled: [{ name: 'AWS', capabilities: [] }], disabled: [], workspaces: [], raw: '' },
    };
    state = apply(state, install(event('complete', 'Removed', { job: 'uninstall' })));
    state = apply(state, { type: 'status', status: STATUS, id: 'boot-200' });
    expect(state.check).toBeNull();
    expect(state.servers).toBeNull();
    expect(state.uninstalled).toBe(true);
  });

  it('survives a reload through what it persists', () => {
    let state = apply(initialState(), install(event('checking', 'Checking')));
    state = apply(state, { type: 'note', kind: 'good', text: 'done' });
    const reloaded = apply(initialState(), { type: 'restore', saved: JSON.parse(JSON.stringify(persisted(state))) });
    expect(reloaded.log).toEqual(state.log);
    expect(reloaded.install).toEqual(state.install);
    expect(reloaded.lastEventId).toBe(state.lastEventId);
    expect(apply(initialState(), { type: 'restore', saved: 'garbage' })).toEqual(initialState());
  });
});

describe('the install progress', () => {
  it('gives each step its share, moves with every report, never goes back, and is 100 only when complete', () => {
    const events = freshInstall();
    const values = events.map((_, i) => barValue(events.slice(0, i + 1)));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] ?? 0);
    // The packages' reports each move it.
    for (let i = 7; i < 26; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? 0);
    expect(values[3]).toBe(16); // uv's archive whole: the end of its share
    expect(Math.max(...values.slice(0, -1))).toBeLessThan(100);
    expect(values.at(-1)).toBe(100);
    // A second mirror, starting from 0, does not take it back.
    const retried = [...events.slice(0, 3), event('downloading', 'again', { bytes: 0, total: 19e6 })];
    expect(barValue(retried)).toBe(barValue(events.slice(0, 3)));
  });

  it('says the time left only once the speed is steady, and never "1 s"', () => {
    const events = freshInstall();
    const packages = events.filter((e) => e.phase === 'installing' && e.bytes !== null);
    expect(timeLeft(packages.slice(0, 3), true)).toBe('');
    expect(timeLeft(packages.slice(0, 8), true)).toMatch(/^about \d+ s left in this step$/);
    // Near an estimated total: no guess.
    expect(timeLeft(packages, true)).toBe('');
    const shown = events.map((_, i) => progressOf(events.slice(0, i + 1), null)?.text ?? '');
    expect(shown.some((text) => /\b1 s\b/.test(text))).toBe(false);
    // Uneven speed: no time said.
    const uneven = packages.slice(0, 8).map((e, i) => ({ ...e, bytes: i < 4 ? (i + 1) * 1e5 : (i + 1) * 9e6 }));
    expect(timeLeft(uneven, true)).toBe('');
  });

  it('titles each job, and folds a success into one line', () => {
    const removed = progressOf(
      [
        event('checking', 'Removing', { job: 'uninstall', ts: 0 }),
        event('complete', 'Removed', { job: 'uninstall', ts: 2000 }),
      ],
      null,
    );
    expect(removed).toMatchObject({ title: 'Cloud tools removed in 2 s', complete: true, stepped: false });
    const cancelled = progressOf(
      [event('checking', 'Checking'), event('error', 'Stopped.', { code: 'interrupted' })],
      null,
    );
    expect(cancelled).toMatchObject({ title: 'Installation cancelled', cancelled: true });
  });
});

describe('the status, in words', () => {
  it('names the API server in use and where its address comes from', () => {
    expect(apiServerText(STATUS.api_server)).toBe(
      'SkyPilot’s local one at http://127.0.0.1:46580, started by the first action (the default)',
    );
    const team = { ...STATUS.api_server, team: true, endpoint: 'https://sky.example', source: 'config' as const };
    expect(apiServerText(team)).toBe('your team’s, at https://sky.example (from ~/.sky/config.yaml (sky api login))');
    expect(apiServerText({ ...team, source: 'environment' })).toContain('from SKYPILOT_API_SERVER_ENDPOINT');
  });

  it('says the local API server restarts with new settings, the size of an install, a cancelled one', () => {
    const installed = { ...STATUS, state: 'installed' as const };
    expect(statusNote({ ...installed, api_server: { ...STATUS.api_server, restart_pending: true } }, false)).toBe(
      'The local API server restarts with the new network settings before the next action.',
    );
    expect(statusNote(installed, false)).toBe('');
    expect(statusNote(STATUS, false)).toContain(`about ${FIRST_INSTALL_MB} MB`);
    const cancelled = {
      ...STATUS,
      state: 'error' as const,
      last_error: { code: 'interrupted' as const, message: '', hint: '' },
    };
    expect(statusText(cancelled, false)).toContain('cancelled');
    expect(statusText(STATUS, true)).toContain('were removed');
  });
});

describe("sky's words, a user's words", () => {
  it('statuses and resources', () => {
    expect(['INIT', 'UP', 'STOPPED'].map(statusWord)).toEqual(['Starting', 'Running', 'Stopped']);
    expect(resourcesText('1x(cpus=2, mem=8, m6i.large, ...)')).toBe('2 vCPU · 8 GB · m6i.large');
    expect(resourcesText('1x(gpus=L4:1, cpus=4, mem=16, ...)')).toBe('L4 ×1 · 4 vCPU · 16 GB');
    expect(resourcesText('2x(cpus=4, mem=16, m6i.xlarge, ...)')).toBe('2 nodes: 4 vCPU · 16 GB · m6i.xlarge');
    expect(resourcesText('1x AWS(m6i.large)')).toBe('1x AWS(m6i.large)');
  });

  it("the preview's chosen machine, from the table sky launch --dryrun prints", () => {
    const lines = readFileSync('test/fixtures/real/sky-launch-dryrun.txt', 'utf8').split('\n');
    const header = lines.find((line) => line.includes('INSTANCE')) ?? '';
    const row = (lines.find((line) => line.includes('✔')) ?? '').replace('{{INFRA_SHOWN}}', 'AWS (us-east-1)');
    const said = 'm6i.large (2 vCPU, 8 GB) in AWS (us-east-1), about $0.10 per hour';
    expect(previewChoice(header, row)).toBe(said);
    // The same row with its spaces squeezed and its mark gone (as the server shows lines with a pictograph).
    expect(previewChoice(header, row.replace('✔', '').replace(/ {2,}/g, ' '))).toBe(said);
  });
});

/** A run of another job, as the installer says it (the lines of a run against the stand-ins). */
function run(job: Event['job'], lines: [Event['phase'], string, Partial<Event>?][]): Event[] {
  return lines.map(([phase, message, more], i) =>
    event(phase, message, { job, cloud: job === 'add-cloud' ? 'gcp' : null, ts: i * 1000, ...more }),
  );
}

const ADD_GCP = run('add-cloud', [
  ['checking', 'Checking this system and /home/u/.carapace'],
  ['installing', 'Adding the SkyPilot libraries of gcp (skypilot-nightly[aws,gcp])'],
  ['checking', 'Platform x86_64-unknown-linux-gnu; installing into /home/u/.carapace'],
  ['checking', 'uv 0.12.5 is already in /home/u/.carapace/uv'],
  ['installing', 'Installing cloud tools (skypilot-nightly[aws,gcp]==1.0.0.dev20261120 with Python 3.12)...'],
  ['installing', 'Downloading cloud tools: 4.0 of about 128.0 MB', { bytes: 4e6, total: 128e6 }],
  ['installing', 'Prepared 112 packages in 9.87s'],
  ['installing', 'Installed 112 packages in 412ms'],
  ['verifying', 'Checking that SkyPilot runs'],
  ['checking', "Stopping SkyPilot's local API server, which runs from /home/u/.carapace"],
  ['checking', "SkyPilot's local API server is stopped"],
  ['complete', 'SkyPilot 1.0.0.dev20261120 is ready at /home/u/.carapace/tools/bin/sky'],
]);

const INFO: AppInfo = { demo: false, clouds: [...CLOUDS], missing_tools: [] };

describe('the progress of each job (a cloud added, a repair, an update)', () => {
  it('lists only the steps a cloud added does, never goes back a step, and its API server lines come after verifying', () => {
    const seen = ADD_GCP.map((_, i) => progressOf(ADD_GCP.slice(0, i + 1), INFO));
    expect(seen[0]?.steps.map((step) => step.label)).toEqual([
      'Installing GCP’s libraries',
      'Checking that SkyPilot runs',
      'Restarting SkyPilot’s API server',
      'Ready',
    ]);
    expect(seen[0]?.title).toBe('Adding GCP · 0%');
    const active = seen.map((progress) => progress?.steps.findIndex((step) => step.state === 'active'));
    for (let i = 1; i < active.length - 1; i++) expect(active[i]).toBeGreaterThanOrEqual(active[i - 1] ?? 0);
    expect(seen[9]?.step).toBe('restart');
    const values = seen.map((progress) => progress?.value ?? 0);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] ?? 0);
    expect(seen.at(-1)?.steps.map((step) => step.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(seen.at(-1)?.title).toBe('GCP added in 11 s');
    // The status line says what runs.
    const installing = { ...STATUS, state: 'installing' as const, install_id: 'i-1' };
    expect(statusText(installing, false, seen[3]?.running)).toBe('Adding GCP…');
  });

  it('a repair reinstalls without a uv step; a step the run did not need is said so, not ticked', () => {
    const repair = run('repair', [
      ['checking', 'Checking this system and /home/u/.carapace'],
      ['checking', 'uv 0.12.5 is already in /home/u/.carapace/uv'],
      ['installing', 'Installing cloud tools (skypilot-nightly[aws] with Python 3.12)...'],
      ['verifying', 'Checking that SkyPilot runs'],
      ['complete', 'SkyPilot 1.0.0.dev20261120 is ready'],
    ]);
    const done = progressOf(repair, INFO);
    expect(done?.steps.map((step) => [step.label, step.state])).toEqual([
      ['Checking this computer', 'done'],
      ['Reinstalling SkyPilot', 'done'],
      ['Checking that SkyPilot runs', 'done'],
      ['Restarting SkyPilot’s API server', 'skipped'],
      ['Ready', 'done'],
    ]);
    // An install that finds uv there does not tick its download.
    const install = run('install', [
      ['checking', 'Checking this system'],
      ['checking', 'uv 0.12.5 is already in /home/u/.carapace/uv'],
      ['installing', 'Installing cloud tools...'],
    ]);
    expect(progressOf(install, INFO)?.steps.find((step) => step.step === 'uv')?.state).toBe('skipped');
  });

  it('an update that found nothing newer says SkyPilot is up to date, not updated', () => {
    const same = run('update', [
      ['checking', 'Updating SkyPilot 1.0.0.dev20261120 (skypilot-nightly[aws]) in /home/u/.carapace'],
      ['installing', 'Installing cloud tools...'],
      ['verifying', 'Checking that SkyPilot runs'],
      [
        'complete',
        'SkyPilot 1.0.0.dev20261120 is already the newest version; ready at /home/u/.carapace/tools/bin/sky',
      ],
    ]);
    expect(progressOf(same, INFO)?.title).toBe('SkyPilot is up to date (1.0.0.dev20261120)');
    const newer = run('update', [
      ['checking', 'Updating SkyPilot 1.0.0.dev20261120'],
      ['complete', 'SkyPilot updated from 1.0.0.dev20261120 to 1.0.0.dev20261201; ready at /x/sky'],
    ]);
    expect(progressOf(newer, INFO)?.title).toBe('SkyPilot updated to 1.0.0.dev20261201 in 1 s');
  });
});

describe('the figures of the progress', () => {
  it('rounds megabytes down as the installer does, and does not repeat its line under the bar', () => {
    expect(megabytes(5_899_999)).toBe('5.8');
    expect(megabytes(14_699_999)).toBe('14.6');
    const events = [
      event('checking', 'Checking this system', { ts: 0 }),
      event('downloading', 'Downloading package manager (uv 0.12.5) from https://releases.example', { ts: 100 }),
      event('downloading', 'Downloading package manager: 5.8 of 14.6 MB', {
        ts: 200,
        bytes: 5_899_999,
        total: 14_699_999,
      }),
    ];
    const progress = progressOf(events, null);
    expect(progress?.text).toBe('7% in all · package manager: 5.8 of 14.6 MB');
    expect(progress?.message).toBe('Downloading package manager (uv 0.12.5) from https://releases.example');
  });

  it('ends the packages’ share smoothly when their estimate was high: uv’s own lines bring it near its end', () => {
    // 118 MB arrived of an estimated 128: then uv says it prepared and installed them.
    const events = [
      ...freshInstall().slice(0, 6),
      event('installing', 'Downloading cloud tools', { ts: 5000, bytes: 118e6, total: 128e6 }),
      event('installing', 'Prepared 112 packages in 9.87s', { ts: 5100 }),
      event('installing', 'Installed 112 packages in 412ms', { ts: 5200 }),
      event('installing', 'Installed 1 executable: sky', { ts: 5300 }),
    ];
    const values = events.map((_, i) => barValue(events.slice(0, i + 1)));
    // Within a few points of the share's end (94) before verifying begins, in steps of a few points.
    expect(values.at(-1)).toBeGreaterThan(91);
    for (let i = 7; i < values.length; i++) expect((values[i] ?? 0) - (values[i - 1] ?? 0)).toBeLessThan(5);
    // Bytes past the estimate still move it, and never to the share's end.
    const past = [...freshInstall().slice(0, 6), event('installing', 'x', { bytes: 200e6, total: 128e6 })];
    const further = [...past, event('installing', 'x', { bytes: 210e6, total: 128e6 })];
    expect(barValue(further)).toBeGreaterThan(barValue(past));
    expect(barValue(further)).toBeLessThan(94);
  });

  it('says the first install’s size from the real programs’ sizes (what the demo serves and names too)', () => {
    const total =
      REAL_SIZES.uvBytes + REAL_SIZES.pythonBytes + REAL_SIZES.dependencies.reduce((sum, d) => sum + d.bytes, 0);
    expect(FIRST_INSTALL_MB).toBe(Math.round(total / 1e7) * 10);
  });

  it('says a download that waits for data in words', () => {
    expect(installLine('Waiting for 127.0.0.1:42761... 4 s')).toBe(
      'No data from 127.0.0.1:42761 for 4 s; still waiting (it gives up after 15 s by default)',
    );
    expect(installLine('Checking this system')).toBe('Checking this system');
  });
});

describe('what the page says, and what it leaves to the log', () => {
  it('a preview goes once the form changes, and is not kept across a reload', () => {
    let state: State = { ...initialState(), preview: { name: 'web-9', text: 'm6i.large' } };
    const reloaded = apply(initialState(), { type: 'restore', saved: JSON.parse(JSON.stringify(persisted(state))) });
    expect(reloaded.preview).toBeNull();
    state = apply(state, { type: 'form-changed' });
    expect(state.preview).toBeNull();
  });

  it('logs the installer’s lines without repeating their phase, SkyPilot starting its API server as a note, and a refused action', () => {
    let state = apply(initialState(), install(event('checking', 'Checking this system')));
    expect(state.log.at(-1)).toMatchObject({ kind: 'install', text: 'Checking this system', phase: 'checking' });
    const base = { operation_id: 'o-9', kind: 'check' as const, name: null };
    state = apply(state, operation({ ...base, event: 'start', command: ['sky', 'check'] }));
    state = apply(
      state,
      operation({
        ...base,
        event: 'line',
        stream: 'stdout',
        line: 'Failed to connect to SkyPilot API server at http://127.0.0.1:46580. Starting a local server.',
      }),
    );
    expect(state.log.at(-1)).toMatchObject({ kind: 'note', text: expect.not.stringContaining('Failed') });
    state = apply(state, {
      type: 'failed',
      error: { code: 'missing-tool', message: 'Launching a server needs ssh.', hint: 'Install it.' },
      action: { kind: 'launch', request: { name: 'web-1' } },
    });
    expect(state.log.at(-1)).toMatchObject({
      kind: 'bad',
      text: 'The launch could not start: Launching a server needs ssh.',
    });
  });

  it('shows an error without hashes, exception classes or double periods (the log keeps them)', () => {
    const hash = 'a'.repeat(64);
    expect(
      readable(`The uv download does not match its checksum (expected ${hash}, got ${'b'.repeat(64)}); it was deleted`),
    ).toBe('The uv download does not match its checksum; it was deleted');
    expect(
      readable(
        'Tearing down web-1 failed: RuntimeError: Failed to terminate instances of cluster web-1: the instance is protected from termination.. web-1 is still listed',
      ),
    ).toBe(
      'Tearing down web-1 failed: Failed to terminate instances of cluster web-1: the instance is protected from termination. web-1 is still listed',
    );
    expect(readable('sky.exceptions.ResourcesUnavailableError: Task requires GCP')).toBe('Task requires GCP');
  });

  it('lists a launch that waits for the cloud tools, from the snapshot, until its operation starts or the install fails', () => {
    const snapshot = {
      status: { ...STATUS, state: 'installing' as const },
      install: null,
      operations: [],
      last_check: null,
      waiting_launches: ['web-9'],
    };
    let state = apply(initialState(), { type: 'snapshot', snapshot, id: 'life-1' });
    expect(state.waiting).toEqual(['web-9']);
    // Another tab's launch waits too: the server says so to every tab.
    const more = apply(state, { type: 'waiting', launches: ['web-9', 'web-10'], id: 'life-2' });
    expect(more.waiting).toEqual(['web-9', 'web-10']);
    expect(more.lastEventId).toBe('life-2');
    const started = apply(
      state,
      operation({ operation_id: 'o-1', kind: 'launch', name: 'web-9', event: 'start', command: ['sky', 'launch'] }),
    );
    expect(started.waiting).toEqual([]);
    state = apply(state, install(event('error', 'Offline.', { code: 'network' })));
    expect(state.waiting).toEqual([]);
    // This tab's own launch, asked before SkyPilot is there.
    const own = apply(
      { ...initialState(), status: STATUS },
      { type: 'started', action: { kind: 'launch', request: { name: 'web-2' } } },
    );
    expect(own.waiting).toEqual(['web-2']);
    expect(own.launchSaid).toBe('web-2 is launched once the cloud tools are installed: follow it under Servers.');
    // The install cancelled: the launch will not happen, and nothing says it will.
    const cancelled = apply(own, install(event('error', 'Stopped.', { code: 'interrupted' })));
    expect(cancelled.launchSaid).toBe('');
    expect(cancelled.log.at(-1)?.text).toBe(
      'web-2 was to be launched once the cloud tools were installed: it is not. Launch it again once they are.',
    );
    // Once it starts, what is said beside Launch Server says so: the wait is over.
    const launching = apply(
      own,
      operation({ operation_id: 'o-2', kind: 'launch', name: 'web-2', event: 'start', command: ['sky', 'launch'] }),
    );
    expect(launching.launchSaid).toBe('Launching web-2: follow it under Servers.');
    const up = apply(
      launching,
      operation({
        operation_id: 'o-2',
        kind: 'launch',
        name: 'web-2',
        event: 'end',
        ok: true,
        message: 'Server web-2 is up.',
        hint: null,
        code: null,
        exit_code: 0,
      }),
    );
    expect(up.launchSaid).toBe('Server web-2 is up.');
  });

  it('offers Add only for clouds that need SkyPilot’s libraries, and marks those the check left disabled', () => {
    const state: State = {
      ...initialState(),
      info: INFO,
      status: { ...STATUS, state: 'installed', source: 'managed', extras: ['aws'] },
      check: {
        enabled: [{ name: 'AWS', capabilities: ['compute', 'storage'] }],
        disabled: [
          {
            name: 'Lambda',
            missing_extra: null,
            reasons: [{ capabilities: [], text: 'Lambda credentials are not set.' }],
          },
          { name: 'GCP', missing_extra: 'gcp', reasons: [{ capabilities: [], text: 'Add GCP.' }] },
        ],
        workspaces: [],
        raw: '',
      },
    };
    const addable = addableClouds(state).map((cloud) => cloud.id);
    expect(addable).toContain('gcp');
    expect(addable).not.toContain('lambda');
    expect(cloudsNotSetUp(state)).toEqual(expect.arrayContaining(['gcp', 'lambda']));
    expect(cloudsNotSetUp(state)).not.toContain('aws');
  });

  it('puts one step forward: install, then Check Clouds, then Launch', () => {
    expect(nextStep({ ...initialState(), status: STATUS })).toBe('install');
    const installed = {
      ...initialState(),
      status: { ...STATUS, state: 'installed' as const, source: 'managed' as const },
    };
    expect(nextStep(installed)).toBe('check');
    expect(nextStep({ ...installed, check: { enabled: [], disabled: [], workspaces: [], raw: '' } })).toBe('launch');
  });

  it('puts Retry forward while an error offers it, and the usual step once it is closed', () => {
    const failed = apply(
      { ...initialState(), status: STATUS },
      {
        type: 'failed',
        error: { code: 'checksum', message: 'The uv download does not match its checksum.', hint: 'Retry.' },
        action: { kind: 'check' },
      },
    );
    expect(failed.error?.retry).not.toBeNull();
    expect(nextStep(failed)).toBe('retry');
    expect(nextStep(apply(failed, { type: 'error-closed' }))).toBe('install');
    const unretryable = apply(
      { ...initialState(), status: STATUS },
      {
        type: 'failed',
        error: { code: 'platform', message: 'This computer is not supported.', hint: 'Use another.' },
        action: { kind: 'check' },
      },
    );
    expect(nextStep(unretryable)).toBe('install');
  });

  it('shows the first sentence of what SkyPilot says about a cloud, and folds the rest', () => {
    const aws =
      'AWS credentials are not set. Run the following commands:\n  $ pip install boto3\n  $ aws configure\n    For more info: https://docs.skypilot.co/x';
    expect(reasonSummary(aws)).toEqual({ summary: 'AWS credentials are not set.', more: true });
    expect(reasonSummary('Add GCP to install them.')).toEqual({ summary: 'Add GCP to install them.', more: false });
  });
});

describe('what a new user read on the page (issue 18, third pass)', () => {
  it('says what an empty log means: nothing since this page was opened, the last install’s log offered', () => {
    expect(emptyLogText(STATUS).text).toMatch(/^Nothing yet\./);
    expect(emptyLogText(STATUS).installLog).toBe(false);
    const installed = { ...STATUS, state: 'installed' as const, source: 'managed' as const };
    expect(emptyLogText(installed)).toEqual({
      text: 'Nothing since this page was opened. The log of the last install:',
      installLog: true,
    });
    const failedFirst = {
      ...STATUS,
      state: 'error' as const,
      last_error: { code: 'checksum' as const, message: 'x', hint: '' },
    };
    expect(emptyLogText(failedFirst).installLog).toBe(true);
    const onPath = { ...STATUS, state: 'installed' as const, source: 'path' as const };
    expect(emptyLogText(onPath)).toEqual({ text: 'Nothing since this page was opened.', installLog: false });
  });

  it('drops what was said beside Launch of a launch that ended once the next action starts, or SkyPilot goes', () => {
    const end = {
      operation_id: 'o-1',
      kind: 'launch' as const,
      name: 'web-1',
      event: 'end' as const,
      ok: true,
      message: 'Server web-1 is up.',
      hint: null,
      code: null,
      exit_code: 0,
    };
    const launchAction = { kind: 'launch' as const, request: { name: 'web-1' } };
    let state: State = { ...initialState(), status: { ...STATUS, state: 'installed', source: 'managed' } };
    state = apply(state, { type: 'started', action: launchAction });
    state = apply(state, operation({ ...end, event: 'start', command: ['sky', 'launch'] }));
    state = apply(state, { type: 'ended', action: launchAction });
    // Under way: another action leaves it.
    expect(apply(state, { type: 'started', action: { kind: 'check' } }).launchSaid).toBe(
      'Launching web-1: follow it under Servers.',
    );
    const up = apply(state, operation(end));
    expect(up.launchSaid).toBe('Server web-1 is up.');
    expect(apply(up, { type: 'started', action: { kind: 'uninstall' } }).launchSaid).toBe('');
    expect(apply(up, { type: 'status', status: STATUS, id: 'boot-300' }).launchSaid).toBe('');
  });

  it('a bar that stopped says where, and its figures say what they are of', () => {
    const events = freshInstall();
    const running = progressOf(events.slice(0, 3), null);
    expect(running?.text).toBe('9% in all · package manager: 9.5 of 19.0 MB');
    const packages = progressOf(events.slice(0, 8), null);
    expect(packages?.text).toMatch(/^\d+% in all · SkyPilot and its libraries: 12\.0 MB downloaded$/);
    const added = progressOf(
      [event('installing', 'x', { job: 'add-cloud', cloud: 'gcp', bytes: 3e6, total: 10e6 })],
      INFO,
    );
    expect(added?.text).toBe('26% in all · GCP’s libraries: 3.0 MB downloaded');
    const failed = progressOf([...events.slice(0, 3), event('error', 'Offline.', { code: 'network' })], null);
    expect(failed?.text).toBe('Stopped at 9%, in “Downloading the package manager (uv)”');
  });

  it('titles a check or launch whose install failed so that its message about a download makes sense', () => {
    let state = apply(initialState(), install(event('checking', 'Checking')));
    state = apply(state, install(event('error', 'The uv download does not match its checksum.', { code: 'checksum' })));
    const error = {
      code: 'checksum' as const,
      message: 'The uv download does not match its checksum.',
      hint: 'Retry.',
    };
    const check = apply(state, { type: 'failed', error, action: { kind: 'check' } });
    expect(check.error?.title).toBe('Check Clouds failed: the cloud tools could not be installed');
    expect(check.log.at(-1)?.text).toMatch(/^Check Clouds failed: the cloud tools could not be installed: /);
    // A check that failed in sky check itself is titled as before.
    const own = apply(state, {
      type: 'failed',
      error: { code: 'sky-failed', message: 'sky check failed.', hint: '' },
      action: { kind: 'check' },
    });
    expect(own.error?.title).toBe('Check Clouds failed');
    // The answer can come before the install's error event: the title is the same.
    const before = apply(apply(initialState(), install(event('checking', 'Checking'))), {
      type: 'failed',
      error,
      action: { kind: 'check' },
    });
    expect(before.error?.title).toBe('Check Clouds failed');
    const after = apply(before, install(event('error', error.message, { code: 'checksum' })));
    expect(after.error?.title).toBe('Check Clouds failed: the cloud tools could not be installed');
  });

  it('offers Uninstall… only while Carapace’s SkyPilot is there, not after a first install that failed', () => {
    const failedFirst = {
      ...STATUS,
      state: 'error' as const,
      last_error: { code: 'checksum' as const, message: 'x', hint: '' },
    };
    expect(offersUninstall(failedFirst)).toBe(false);
    expect(offersUninstall({ ...STATUS, state: 'installed', source: 'managed' })).toBe(true);
    expect(offersUninstall({ ...failedFirst, source: 'managed' })).toBe(true);
    expect(offersUninstall({ ...STATUS, state: 'installed', source: 'path' })).toBe(false);
  });

  it('says after a one-cloud check that only that cloud was checked', () => {
    const check = { enabled: [{ name: 'AWS', capabilities: [] }], disabled: [], workspaces: [], raw: '' };
    const state = apply(initialState(), {
      type: 'cloud-added',
      answer: { cloud: 'gcp', enabled: false, check, last_check: null },
      name: 'GCP',
    });
    expect(state.log.map((line) => line.text)).toContain(
      'Only GCP was checked; the other clouds are as the last Check Clouds listed them.',
    );
  });

  it('words the Uninstall dialog for one server or many, and does not say "failed" twice of a tear-down', () => {
    const one = uninstallText([{ name: 'web-1', status: 'UP' }]);
    expect(one).toContain(
      'web-1 keeps running, and billing. Tear it down first, or install again later to see it here.',
    );
    const two = uninstallText([
      { name: 'web-1', status: 'UP' },
      { name: 'db', status: 'STOPPED' },
    ]);
    expect(two).toContain('Tear them down first');
    const down = { operation_id: 'o-1', kind: 'down' as const, name: 'web-1' };
    let state = apply(initialState(), operation({ ...down, event: 'start', command: ['sky', 'down'] }));
    state = apply(
      state,
      operation({
        ...down,
        event: 'end',
        ok: false,
        exit_code: 1,
        message: 'Tearing down web-1 failed: protected. web-1 is still listed as running and may still be billing.',
        hint: 'Retry.',
        code: 'sky-failed',
      }),
    );
    expect(state.error?.title).not.toMatch(/failed/i);
    const refused = apply(initialState(), {
      type: 'failed',
      error: { code: 'sky-failed', message: 'Tearing down web-1 failed: x', hint: '' },
      action: { kind: 'tear-down', name: 'web-1' },
    });
    expect(refused.error?.title).not.toMatch(/failed/i);
  });
});
