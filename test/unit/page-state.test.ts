// The page's state (public/state.js): every event goes through apply(), a pure
// function, so that the same events always give the same page.
import { describe, expect, it } from 'vitest';
import { apply, initialState, LOG_LIMIT, persisted } from '../../public/state.js';
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

function installEvent(phase: InstallEventData['phase'], message: string, more: Partial<InstallEventData> = {}) {
  const event: InstallEventData & { ts: number } = {
    install_id: 'i-1',
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
  return { type: 'install' as const, event, id: `boot-${message.length}` };
}

function operation(event: OperationEventData) {
  return { type: 'operation' as const, event, id: '' };
}

describe('the page state', () => {
  it('is not changed by apply: a new state comes back', () => {
    const before = initialState();
    const frozen = JSON.stringify(before);
    const after = apply(before, installEvent('checking', 'Checking this system'));
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after.install).toHaveLength(1);
    expect(after.log.map((line) => line.text)).toEqual(['checking: Checking this system']);
  });

  it('keeps the last event id, and starts a new install afresh', () => {
    let state = apply(initialState(), installEvent('checking', 'Checking'));
    expect(state.lastEventId).toBe('boot-8');
    state = apply(state, installEvent('checking', 'Again', { install_id: 'i-2' }));
    expect(state.install.map((event) => event.install_id)).toEqual(['i-2']);
  });

  it(`keeps the last ${LOG_LIMIT} log lines, numbered`, () => {
    let state = initialState();
    for (let i = 0; i < LOG_LIMIT + 5; i++) state = apply(state, { type: 'note', kind: 'note', text: `line ${i}` });
    expect(state.log).toHaveLength(LOG_LIMIT);
    expect(state.log[0]?.text).toBe('line 5');
    expect(state.log.at(-1)?.n).toBe(LOG_LIMIT + 5);
  });

  it('follows a launch: running, then kept with its failure until the list no longer has it', () => {
    let state = apply(
      initialState(),
      operation({ operation_id: 'o-1', kind: 'launch', name: 'web-1', event: 'start', command: ['sky', 'launch'] }),
    );
    expect(state.operations['o-1']).toMatchObject({ name: 'web-1', running: true });
    state = apply(
      state,
      operation({
        operation_id: 'o-1',
        kind: 'launch',
        name: 'web-1',
        event: 'end',
        exit_code: 1,
        ok: false,
        message: 'The launch of web-1 failed.',
        hint: null,
        code: 'sky-failed',
      }),
    );
    expect(state.operations['o-1']).toMatchObject({ running: false, failure: 'The launch of web-1 failed.' });
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

  it('a snapshot replaces what the tab remembered with what runs now', () => {
    let state = apply(initialState(), { type: 'note', kind: 'note', text: 'old' });
    state = apply(state, {
      type: 'snapshot',
      id: 'boot-9',
      snapshot: {
        status: { ...STATUS, state: 'installing' },
        install: { id: 'i-3', events: [installEvent('downloading', 'Downloading', { install_id: 'i-3' }).event] },
        operations: [],
        last_check: null,
      },
    });
    expect(state.log.map((line) => line.text)).toEqual(['downloading: Downloading']);
    expect(state.status?.state).toBe('installing');
  });

  it('survives a reload through what it persists', () => {
    let state = apply(initialState(), installEvent('checking', 'Checking'));
    state = apply(state, { type: 'note', kind: 'good', text: 'done' });
    const reloaded = apply(initialState(), { type: 'restore', saved: JSON.parse(JSON.stringify(persisted(state))) });
    expect(reloaded.log).toEqual(state.log);
    expect(reloaded.install).toEqual(state.install);
    expect(reloaded.lastEventId).toBe(state.lastEventId);
    expect(apply(initialState(), { type: 'restore', saved: 'garbage' })).toEqual(initialState());
  });
});
