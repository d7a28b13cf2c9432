// The page's state (public/state.js), its progress (public/progress.js) and its words
// for sky's output (public/sky-text.js): pure functions, so that the same events
// always give the same page.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiServerText, statusNote, statusText } from '../../public/panel-status.js';
import { barValue, progressOf, timeLeft } from '../../public/progress.js';
import { previewChoice, resourcesText, statusWord } from '../../public/sky-text.js';
import { apply, busyOf, initialState, LOG_LIMIT, persisted, type State } from '../../public/state.js';
import type { InstallEventData, InstallStatus, OperationEventData } from '../../src/api.js';

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
    expect(after.log.map((line) => line.text)).toEqual(['checking: Checking this system']);
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
    };
    state = apply(state, { type: 'snapshot', snapshot, id: 'boot-99' });
    expect(state.log.map((line) => line.text)).toEqual(['checking: Checking', 'downloading: Downloading']);
    // Another life (a restart): what it holds replaces what the tab remembered.
    state = apply(state, { type: 'snapshot', snapshot: { ...snapshot, install: null }, id: 'other-1' });
    expect(state.log).toEqual([]);
    expect(state.install).toEqual([]);
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
    expect(timeLeft(packages.slice(0, 3), 'installing')).toBe('');
    expect(timeLeft(packages.slice(0, 8), 'installing')).toMatch(/^about \d+ s left in this step$/);
    // Near an estimated total: no guess.
    expect(timeLeft(packages, 'installing')).toBe('');
    const shown = events.map((_, i) => progressOf(events.slice(0, i + 1), null)?.text ?? '');
    expect(shown.some((text) => /\b1 s\b/.test(text))).toBe(false);
    // Uneven speed: no time said.
    const uneven = packages.slice(0, 8).map((e, i) => ({ ...e, bytes: i < 4 ? (i + 1) * 1e5 : (i + 1) * 9e6 }));
    expect(timeLeft(uneven, 'installing')).toBe('');
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
    expect(statusNote(STATUS, false)).toContain('about 130 MB');
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
