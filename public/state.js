// @ts-check
/**
 * The page's state, and `apply`: the one function every event goes through -- the
 * server's (snapshot, status, install, operation) and the page's own (an answer,
 * an action started or ended, an error). It is pure: it returns a new state and
 * never touches the DOM, the network or the clock, so that a reload that replays
 * the same events shows the same page. The panels only draw what it holds.
 */

/** @typedef {import('../src/api.js').ErrorBody} ErrorBody */
/** @typedef {import('../src/api.js').InstallStatus} Status */
/** @typedef {import('../src/api.js').InstallEventData} InstallEvent */
/** @typedef {import('../src/api.js').OperationEventData} OperationEvent */
/** @typedef {import('../src/api.js').Snapshot} Snapshot */
/** @typedef {import('../src/api.js').Cluster} Cluster */
/** @typedef {import('../src/api.js').CloudCheckAnswer} CloudCheckAnswer */
/** @typedef {import('../src/api.js').ServersAnswer} ServersAnswer */
/** @typedef {import('../src/api.js').SettingsAnswer} SettingsAnswer */
/** @typedef {import('../src/api.js').AppInfo} AppInfo */
/** @typedef {import('../src/api.js').Timed<InstallEvent>} TimedInstallEvent */

/** @typedef {'install'|'action'|'good'|'bad'|'note'} LogKind */
/** @typedef {{n: number, kind: LogKind, text: string}} LogLine */
/**
 * A launch or teardown in progress, or one that failed (kept until the servers list says otherwise).
 * @typedef {{id: string, kind: 'launch'|'down', name: string, requestId: string|null, running: boolean, failure: string|null}} ServerOperation
 */
/**
 * What the page can do, by name: a failed one is kept by name so that Retry can do it again.
 * @typedef {{kind: 'check'} | {kind: 'install', force: boolean} | {kind: 'update'} | {kind: 'uninstall'}
 *   | {kind: 'add-cloud', cloud: string, name: string} | {kind: 'launch', request: Record<string, unknown>}
 *   | {kind: 'tear-down', name: string} | {kind: 'cancel-launch', id: string, name: string}
 *   | {kind: 'save-settings', values: Record<string, string>}} Action
 */
/**
 * @typedef {{
 *   status: Status|null,
 *   info: AppInfo|null,
 *   install: TimedInstallEvent[],
 *   operations: Record<string, ServerOperation>,
 *   servers: Cluster[],
 *   check: CloudCheckAnswer|null,
 *   settings: SettingsAnswer|null,
 *   settingsSaid: string,
 *   busy: Action['kind'][],
 *   error: {body: ErrorBody, retry: Action|null}|null,
 *   log: LogLine[],
 *   logCount: number,
 *   lastEventId: string,
 * }} State
 */
/**
 * @typedef {{type: 'restore', saved: unknown}
 *   | {type: 'snapshot', snapshot: Snapshot, id: string}
 *   | {type: 'status', status: Status, id: string}
 *   | {type: 'install', event: TimedInstallEvent, id: string}
 *   | {type: 'operation', event: OperationEvent, id: string}
 *   | {type: 'info', info: AppInfo}
 *   | {type: 'servers', answer: ServersAnswer}
 *   | {type: 'clouds', check: CloudCheckAnswer}
 *   | {type: 'settings', answer: SettingsAnswer, said: string}
 *   | {type: 'note', kind: LogKind, text: string}
 *   | {type: 'started', action: Action}
 *   | {type: 'ended', action: Action}
 *   | {type: 'failed', error: ErrorBody, retry: Action|null}
 *   | {type: 'error-closed'}
 *   | {type: 'forget-failures', name: string}} PageEvent
 */

export const LOG_LIMIT = 1000;

/** @returns {State} */
export function initialState() {
  return {
    status: null,
    info: null,
    install: [],
    operations: {},
    servers: [],
    check: null,
    settings: null,
    settingsSaid: '',
    busy: [],
    error: null,
    log: [],
    logCount: 0,
    lastEventId: '',
  };
}

/** What a reload keeps (in the tab's sessionStorage). @param {State} state */
export function persisted(state) {
  const { log, logCount, install, lastEventId } = state;
  return { log, logCount, install, lastEventId };
}

/**
 * The state after one event.
 * @param {State} state @param {PageEvent} event @returns {State}
 */
export function apply(state, event) {
  switch (event.type) {
    case 'restore':
      return restore(state, event.saved);
    case 'snapshot':
      return seen(fromSnapshot(state, event.snapshot), event.id);
    case 'status':
      return seen({ ...state, status: event.status }, event.id);
    case 'install':
      return seen(withInstallEvent(state, event.event), event.id);
    case 'operation':
      return seen(withOperationEvent(state, event.event), event.id);
    case 'info':
      return { ...state, info: event.info };
    case 'servers':
      return withServers(state, event.answer);
    case 'clouds':
      return { ...state, check: event.check };
    case 'settings':
      return { ...state, settings: event.answer, settingsSaid: event.said };
    case 'note':
      return logged(state, { kind: event.kind, text: event.text });
    case 'started':
      return { ...state, busy: [...state.busy, event.action.kind], error: null };
    case 'ended': {
      const at = state.busy.indexOf(event.action.kind);
      return at < 0 ? state : { ...state, busy: state.busy.filter((_, i) => i !== at) };
    }
    case 'failed':
      return { ...state, error: { body: event.error, retry: event.retry } };
    case 'error-closed':
      return { ...state, error: null };
    case 'forget-failures': {
      const operations = Object.fromEntries(
        Object.entries(state.operations).filter(([, op]) => op.name !== event.name || op.running),
      );
      return { ...state, operations };
    }
  }
}

/** @param {State} state @param {string} id */
function seen(state, id) {
  return id ? { ...state, lastEventId: id } : state;
}

/** @param {State} state @param {unknown} saved @returns {State} */
function restore(state, saved) {
  if (!saved || typeof saved !== 'object') return state;
  const given = /** @type {Partial<State>} */ (saved);
  if (!Array.isArray(given.log)) return state;
  return {
    ...state,
    log: given.log,
    logCount: typeof given.logCount === 'number' ? given.logCount : given.log.length,
    install: Array.isArray(given.install) ? given.install : [],
    lastEventId: typeof given.lastEventId === 'string' ? given.lastEventId : '',
  };
}

/**
 * Appends lines to the activity log, keeping its last LOG_LIMIT.
 * @param {State} state @param {...{kind: LogKind, text: string}} lines @returns {State}
 */
function logged(state, ...lines) {
  let count = state.logCount;
  const added = lines.map((line) => ({ n: ++count, kind: line.kind, text: line.text }));
  return { ...state, log: [...state.log, ...added].slice(-LOG_LIMIT), logCount: count };
}

/** A fresh start: what is running now replaces whatever this tab remembered. @param {State} state @param {Snapshot} snapshot */
function fromSnapshot(state, snapshot) {
  /** @type {State} */
  let next = { ...state, status: snapshot.status, log: [], install: [], operations: { ...state.operations } };
  for (const event of snapshot.install?.events ?? []) next = withInstallEvent(next, { ...event, ts: 0 });
  for (const operation of snapshot.operations) {
    if ((operation.kind === 'launch' || operation.kind === 'down') && operation.name) {
      next.operations = {
        ...next.operations,
        [operation.operation_id]: {
          id: operation.operation_id,
          kind: operation.kind,
          name: operation.name,
          requestId: operation.request_id,
          running: true,
          failure: null,
        },
      };
    }
    next = logged(next, ...operation.lines.map(({ line }) => ({ kind: /** @type {const} */ ('action'), text: line })));
  }
  return next;
}

/** @param {State} state @param {TimedInstallEvent} event @returns {State} */
function withInstallEvent(state, event) {
  const sameRun = state.install[0]?.install_id === event.install_id;
  const install = [...(sameRun ? state.install : []), event];
  const line =
    event.phase === 'error'
      ? {
          kind: /** @type {const} */ ('bad'),
          text: `Installation failed (${event.code ?? 'error'}): see “Something went wrong”.`,
        }
      : {
          kind: /** @type {const} */ ('install'),
          text: `${event.phase}${event.percent === null ? '' : ` ${event.percent}%`}: ${event.message}`,
        };
  return logged({ ...state, install }, line);
}

/** @param {State} state @param {OperationEvent} event @returns {State} */
function withOperationEvent(state, event) {
  const serverOperation = event.kind === 'launch' || event.kind === 'down';
  const known = state.operations[event.operation_id];
  if (event.event === 'start') {
    const next = logged(state, { kind: 'note', text: `$ ${event.command.join(' ')}` });
    if (!serverOperation || !event.name) return next;
    const kind = /** @type {'launch'|'down'} */ (event.kind);
    return {
      ...next,
      operations: {
        ...next.operations,
        [event.operation_id]: {
          id: event.operation_id,
          kind,
          name: event.name,
          requestId: null,
          running: true,
          failure: null,
        },
      },
    };
  }
  if (event.event === 'line') return logged(state, { kind: 'action', text: event.line });
  if (event.event === 'cancellable') {
    if (!known) return state;
    return { ...state, operations: { ...state.operations, [known.id]: { ...known, requestId: event.request_id } } };
  }
  const next = logged(state, { kind: event.ok ? 'good' : 'bad', text: event.message });
  if (!known) return next;
  const operations = { ...next.operations };
  if (event.ok) delete operations[known.id];
  else operations[known.id] = { ...known, running: false, failure: event.message };
  return { ...next, operations };
}

/** A failure note stays while the server it is about is still listed. @param {State} state @param {ServersAnswer} answer */
function withServers(state, answer) {
  const operations = Object.fromEntries(
    Object.entries(state.operations).filter(
      ([, op]) => op.running || answer.servers.some((server) => server.name === op.name),
    ),
  );
  return { ...state, servers: answer.servers, operations };
}
