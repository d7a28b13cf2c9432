// @ts-check
/**
 * The page's state, and `apply`: the one function every event goes through -- the
 * server's (snapshot, status, install, operation) and the page's own (an answer,
 * an action started or ended, an error). It is pure: it returns a new state and
 * never touches the DOM, the network or the clock, so that a reload that replays
 * the same events shows the same page. The panels only draw what it holds.
 */
import { installLine, planOf } from './progress.js';
import { previewChoice } from './sky-text.js';
import { plain, readable } from './text.js';

/** @typedef {import('../src/api.js').ErrorBody} ErrorBody */
/** @typedef {import('../src/api.js').InstallStatus} Status */
/** @typedef {import('../src/api.js').InstallEventData} InstallEventData */
/** @typedef {import('../src/api.js').OperationEventData} OperationEvent */
/** @typedef {import('../src/api.js').Snapshot} Snapshot */
/** @typedef {import('../src/api.js').Cluster} Cluster */
/** @typedef {import('../src/api.js').CloudCheckAnswer} CloudCheckAnswer */
/** @typedef {import('../src/api.js').CheckedClouds} CheckedClouds */
/** @typedef {import('../src/api.js').CloudEnableAnswer} CloudEnableAnswer */
/** @typedef {import('../src/api.js').ServersAnswer} ServersAnswer */
/** @typedef {import('../src/api.js').SettingsAnswer} SettingsAnswer */
/** @typedef {import('../src/api.js').AppInfo} AppInfo */
/** @typedef {import('../src/api.js').OperationKind} OperationKind */
/** An install event, with the server's time when it was sent (null for those a snapshot carries). @typedef {InstallEventData & {ts: number|null}} InstallEvent */

/** @typedef {'install'|'action'|'good'|'bad'|'note'} LogKind */
/** A line of the activity log; an installer's line keeps its phase. @typedef {{n: number, kind: LogKind, text: string, phase?: string}} LogLine */
/**
 * A sky run this page knows of: running, or ended with a failure that is kept while it is true
 * (a launch's or teardown's, until the servers list no longer has its server).
 * @typedef {{
 *   id: string, kind: OperationKind, name: string|null, requestId: string|null, running: boolean,
 *   preview: boolean, failure: string|null, lines: number, lastLine: string,
 *   previewHeader: string, previewStage: ''|'header'|'rows'|'done', previewRows: number,
 * }} Operation
 */
/**
 * What the page can do, by name: a failed one is kept by name so that Retry can do it again.
 * @typedef {{kind: 'check', rejoined?: boolean} | {kind: 'install', force: boolean} | {kind: 'cancel-install'} | {kind: 'update'}
 *   | {kind: 'uninstall'} | {kind: 'add-cloud', cloud: string, name: string}
 *   | {kind: 'launch', request: Record<string, unknown>} | {kind: 'tear-down', name: string}
 *   | {kind: 'cancel-launch', id: string, name: string} | {kind: 'refresh-servers', refresh: boolean}
 *   | {kind: 'save-settings', values: Record<string, string>}} Action
 */
/** Where an error shows: in the panel of what failed. @typedef {'tools'|'clouds'|'launch'|'servers'|'settings'} Place */
/**
 * @typedef {{
 *   info: AppInfo|null,
 *   status: Status|null,
 *   install: InstallEvent[],
 *   operations: Record<string, Operation>,
 *   check: (CloudCheckAnswer & {checked_at?: string})|null,
 *   servers: ServersAnswer|null,
 *   settings: SettingsAnswer|null,
 *   settingsSaid: string,
 *   pending: Action['kind'][],
 *   rejoin: Action['kind'][],
 *   cancelling: boolean,
 *   error: {body: ErrorBody, title: string, place: Place, retry: Action|null}|null,
 *   preview: {name: string, text: string}|null,
 *   waiting: string[],
 *   launchSaid: string,
 *   uninstalled: boolean,
 *   announcement: string,
 *   log: LogLine[],
 *   logCount: number,
 *   lastEventId: string,
 * }} State
 */
/**
 * @typedef {{type: 'restore', saved: unknown}
 *   | {type: 'snapshot', snapshot: Snapshot, id: string}
 *   | {type: 'status', status: Status, id: string}
 *   | {type: 'install', event: InstallEvent, id: string}
 *   | {type: 'operation', event: OperationEvent, id: string}
 *   | {type: 'waiting', launches: string[], id: string}
 *   | {type: 'info', info: AppInfo}
 *   | {type: 'servers', answer: ServersAnswer}
 *   | {type: 'clouds', check: CloudCheckAnswer & {checked_at?: string}}
 *   | {type: 'cloud-added', answer: CloudEnableAnswer, name: string}
 *   | {type: 'settings', answer: SettingsAnswer, said: string}
 *   | {type: 'note', kind: LogKind, text: string}
 *   | {type: 'started', action: Action}
 *   | {type: 'ended', action: Action}
 *   | {type: 'failed', error: ErrorBody, action: Action}
 *   | {type: 'error-closed'}
 *   | {type: 'form-changed'}
 *   | {type: 'rejoined'}} PageEvent
 */

export const LOG_LIMIT = 1000;

/** What is said beside Launch Server of the launch asked for. */
const LAUNCH_SAID = {
  /** @param {string} name */
  launching: (name) => `Launching ${name}: follow it under Servers.`,
  /** @param {string} name */
  waiting: (name) => `${name} is launched once the cloud tools are installed: follow it under Servers.`,
};

/**
 * What the log says of a sky run that ended while the tab was away (a reload): its last
 * lines and its end went by unseen; the list it changed shows the outcome.
 * @param {Operation} operation
 */
function endedWhileAway(operation) {
  const name = operation.name ?? '';
  if (operation.kind === 'check')
    return 'sky check ended while the page reloaded: the Clouds list shows the last result.';
  if (operation.preview) return `The preview of ${name} ended while the page reloaded: Preview again to see it.`;
  if (operation.kind === 'down')
    return `Tearing down ${name} ended while the page reloaded: the Servers list shows how it stands.`;
  return `The launch of ${name} ended while the page reloaded: the Servers list shows how it stands.`;
}

/** sky/server/common.py, when no local API server answers: "Failed to connect to SkyPilot API server at URL. Starting a local server." */
const API_SERVER_STARTING = /Failed to connect to SkyPilot API server at \S+\s+Starting a local server/;

/**
 * Errors a retry cannot fix: something must change first (a setting, the machine, the request).
 * @type {ReadonlySet<string>}
 */
const NOT_RETRYABLE = new Set([
  'platform',
  'missing-tool',
  'permission',
  'package',
  'invalid-request',
  'unsupported-media-type',
  'unauthorized',
  'forbidden',
  'not-found',
  'sky-not-managed',
  'sky-api-mismatch',
  'sky-api-unauthorized',
  'shutting-down',
]);

/** @type {Record<Action['kind'], Place>} */
const PLACE = {
  check: 'clouds',
  'add-cloud': 'clouds',
  install: 'tools',
  'cancel-install': 'tools',
  update: 'tools',
  uninstall: 'tools',
  launch: 'launch',
  'tear-down': 'servers',
  'cancel-launch': 'servers',
  'refresh-servers': 'servers',
  'save-settings': 'settings',
};

/** @type {Record<Action['kind'] | 'launched' | 'torn-down', string>} */
const FAILED = {
  check: 'Check Clouds failed',
  'add-cloud': 'Adding the cloud failed',
  install: 'The installation failed',
  'cancel-install': 'The installation could not be cancelled',
  update: 'The update failed',
  uninstall: 'The uninstall failed',
  launch: 'The launch could not start',
  launched: 'The launch failed',
  // The message says "Tearing down <name> failed": the title does not say it again.
  'tear-down': 'Not torn down',
  'torn-down': 'Not torn down',
  'cancel-launch': 'The launch could not be cancelled',
  'refresh-servers': 'The servers could not be listed',
  'save-settings': 'The settings were not saved',
};

/** @returns {State} */
export function initialState() {
  return {
    info: null,
    status: null,
    install: [],
    operations: {},
    check: null,
    servers: null,
    settings: null,
    settingsSaid: '',
    pending: [],
    rejoin: [],
    cancelling: false,
    error: null,
    preview: null,
    waiting: [],
    launchSaid: '',
    uninstalled: false,
    announcement: '',
    log: [],
    logCount: 0,
    lastEventId: '',
  };
}

/**
 * What a reload keeps (in the tab's sessionStorage); the rest comes back with the snapshot.
 * The actions this tab was waiting for are kept to be joined again (rejoin). A preview's
 * result is not kept: the form it was of is empty after a reload.
 * @param {State} state
 */
export function persisted(state) {
  const { log, logCount, install, operations, lastEventId, uninstalled } = state;
  return { log, logCount, install, operations, lastEventId, uninstalled, pending: state.pending };
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
      return seen(fromSnapshot(state, event.snapshot, event.id), event.id);
    case 'status':
      return seen(withStatus(state, event.status), event.id);
    case 'install':
      return seen(withInstallEvent(state, event.event), event.id);
    case 'operation':
      return seen(withOperationEvent(state, event.event), event.id);
    case 'waiting':
      // The server's list: also the launches other tabs asked for.
      return seen({ ...state, waiting: event.launches }, event.id);
    case 'info':
      return { ...state, info: event.info };
    case 'servers':
      return withServers(state, event.answer);
    case 'clouds': {
      const enabled = event.check.enabled.length;
      return {
        ...state,
        check: event.check,
        announcement: `Cloud check finished: ${enabled} ${enabled === 1 ? 'cloud' : 'clouds'} enabled.`,
      };
    }
    case 'cloud-added':
      return withCloudAdded(state, event.answer, event.name);
    case 'settings':
      return { ...state, settings: event.answer, settingsSaid: event.said };
    case 'note':
      return logged(state, { kind: event.kind, text: event.text });
    case 'started':
      return started(state, event.action);
    case 'ended': {
      const at = state.pending.indexOf(event.action.kind);
      return at < 0 ? state : { ...state, pending: state.pending.filter((_, i) => i !== at) };
    }
    case 'failed':
      return failed(state, event.error, event.action);
    case 'error-closed':
      return { ...state, error: null };
    case 'form-changed':
      // A preview is of the settings it was asked with: once they change, it says nothing true.
      return state.preview || state.launchSaid ? { ...state, preview: null, launchSaid: '' } : state;
    case 'rejoined':
      return { ...state, rejoin: [] };
  }
}

// ---------------------------------------------------------------- what the state says (pure)

/** What is under way, for the buttons: each is busy only with what conflicts with it. @param {State} state */
export function busyOf(state) {
  const running = Object.values(state.operations).filter((operation) => operation.running);
  const pending = new Set(state.pending);
  const installing =
    state.status?.state === 'installing' ||
    ['install', 'update', 'uninstall', 'add-cloud', 'cancel-install'].some((kind) =>
      pending.has(/** @type {Action['kind']} */ (kind)),
    );
  const checking =
    pending.has('check') ||
    state.rejoin.includes('check') ||
    running.some((op) => op.kind === 'check' && op.name === null);
  const adding = pending.has('add-cloud') || running.some((op) => op.kind === 'check' && op.name !== null);
  return {
    installing,
    checking,
    adding,
    /** Update and uninstall are refused while sky runs anything. */
    skyRunning: running.length > 0,
    launching: pending.has('launch'),
    saving: pending.has('save-settings'),
    refreshing: pending.has('refresh-servers'),
    cancelling: state.cancelling || pending.has('cancel-install'),
  };
}

/**
 * The clouds whose libraries Carapace can add and has not: none for a team's server or a sky
 * on PATH, and none the last check found enabled or lacking only credentials (a cloud whose
 * extra brings no library, such as Lambda: its check says what it needs).
 * @param {State} state
 */
export function addableClouds(state) {
  const extras = state.status?.extras ?? null;
  if (!state.info || extras === null || state.status?.api_server.team) return [];
  const settled = new Set([
    ...(state.check?.enabled ?? []).map((cloud) => cloud.name),
    ...(state.check?.disabled ?? []).filter((cloud) => cloud.missing_extra === null).map((cloud) => cloud.name),
  ]);
  return state.info.clouds.filter((cloud) => cloud.addable && !extras.includes(cloud.id) && !settled.has(cloud.name));
}

/**
 * The one next step the page puts forward (its button the primary one): Retry while an error
 * offers it (the failed action, which installs first if it must), else the install while
 * SkyPilot is missing, then Check Clouds, then Launch.
 * @param {State} state @returns {'retry'|'install'|'check'|'launch'}
 */
export function nextStep(state) {
  if (state.error?.retry) return 'retry';
  if (!state.status?.source) return 'install';
  return state.check ? 'launch' : 'check';
}

/** The clouds (ids) the last check did not enable: a launch there fails until they are set up. @param {State} state */
export function cloudsNotSetUp(state) {
  if (!state.check || !state.info) return [];
  const enabled = new Set(state.check.enabled.map((cloud) => cloud.name));
  return state.info.clouds.filter((cloud) => !enabled.has(cloud.name)).map((cloud) => cloud.id);
}

// ---------------------------------------------------------------- the events

/** @param {State} state @param {string} id */
function seen(state, id) {
  return id ? { ...state, lastEventId: id } : state;
}

/** The boot an event id is of ("<boot>-<sequence>", src/events/bus.ts). @param {string} id */
const bootOf = (id) => id.replace(/-\d+$/, '');

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
    operations: given.operations && typeof given.operations === 'object' ? given.operations : {},
    lastEventId: typeof given.lastEventId === 'string' ? given.lastEventId : '',
    uninstalled: given.uninstalled === true,
    rejoin: Array.isArray(given.pending) ? given.pending : [],
  };
}

/**
 * Appends lines to the activity log (ANSI colours taken out), keeping its last LOG_LIMIT.
 * @param {State} state @param {...{kind: LogKind, text: string, phase?: string}} lines @returns {State}
 */
function logged(state, ...lines) {
  if (lines.length === 0) return state;
  let count = state.logCount;
  const added = lines.map((line) => ({ ...line, n: ++count, text: plain(line.text) }));
  return { ...state, log: [...state.log, ...added].slice(-LOG_LIMIT), logCount: count };
}

/**
 * A snapshot: what the server holds now. From the same server life as this tab's log, the
 * log is kept and only what it misses is added; from another (a restart), it starts afresh.
 * @param {State} state @param {Snapshot} snapshot @param {string} id @returns {State}
 */
function fromSnapshot(state, snapshot, id) {
  const sameLife = state.lastEventId !== '' && bootOf(state.lastEventId) === bootOf(id);
  /** @type {State} */
  let next = sameLife
    ? state
    : { ...state, log: [], logCount: state.logCount, install: [], operations: {}, preview: null, uninstalled: false };
  next = withStatus(next, snapshot.status);
  next = { ...next, check: snapshot.last_check, waiting: snapshot.waiting_launches ?? [] };
  const ours = next.install[0]?.install_id;
  if (snapshot.install) {
    const known = ours === snapshot.install.id ? next.install.length : 0;
    for (const event of snapshot.install.events.slice(known)) next = withInstallEvent(next, { ...event, ts: null });
  } else if (ours && !['complete', 'error'].includes(next.install.at(-1)?.phase ?? '')) {
    // It ended while this tab was away, its end unseen: the status says how.
    next = { ...next, install: [] };
  }
  // What ran when this tab last looked and runs no more ended meanwhile; its end was missed.
  const runningNow = new Set(snapshot.operations.map((op) => op.operation_id));
  const endedAway = Object.values(next.operations).filter((op) => op.running && !runningNow.has(op.id));
  next = logged(next, ...endedAway.map((op) => ({ kind: /** @type {const} */ ('note'), text: endedWhileAway(op) })));
  const operations = Object.fromEntries(
    Object.entries(next.operations).filter(([key, op]) => !op.running || runningNow.has(key)),
  );
  next = { ...next, operations };
  for (const summary of snapshot.operations) {
    const known = next.operations[summary.operation_id];
    const operation = known ?? {
      id: summary.operation_id,
      kind: summary.kind,
      name: summary.name,
      requestId: summary.request_id,
      running: true,
      preview: false,
      failure: null,
      lines: 0,
      lastLine: '',
      previewHeader: '',
      previewStage: /** @type {const} */ (''),
      previewRows: 0,
    };
    // The snapshot holds an operation's last lines: those after the last one this tab logged are new.
    const texts = summary.lines.map(({ line }) => line);
    const after = known ? texts.lastIndexOf(known.lastLine) + 1 : 0;
    const missed = texts.slice(after);
    next = logged(next, ...missed.map((text) => ({ kind: /** @type {const} */ ('action'), text })));
    next = {
      ...next,
      operations: {
        ...next.operations,
        [operation.id]: {
          ...operation,
          requestId: summary.request_id ?? operation.requestId,
          lines: operation.lines + missed.length,
          lastLine: missed.at(-1) ?? operation.lastLine,
        },
      },
    };
  }
  return next;
}

/**
 * The status: once SkyPilot is gone, what was read through it (the clouds, the servers) is not true any more.
 * @param {State} state @param {Status} status @returns {State}
 */
function withStatus(state, status) {
  const next = { ...state, status };
  if (status.state === 'not_installed' || status.state === 'error')
    return { ...next, check: null, servers: null, launchSaid: launchUnderWay(next) ? next.launchSaid : '' };
  if (status.state === 'installed') return { ...next, uninstalled: false };
  return next;
}

/** @param {State} state @param {InstallEvent} event @returns {State} */
function withInstallEvent(state, event) {
  const sameRun = state.install[0]?.install_id === event.install_id;
  const install = [...(sameRun ? state.install : []), event];
  /** @type {State} */
  const next = { ...state, install, cancelling: sameRun ? state.cancelling : false };
  if (!sameRun) next.announcement = `${planOf(event, state.info).running}…`;
  if (event.phase === 'complete') next.announcement = planOf(event, state.info).done;
  // Servers launched before an uninstall are not listed any more, and may still bill: the page says so.
  if (event.phase === 'complete' && event.job === 'uninstall') next.uninstalled = true;
  if (event.phase === 'error') {
    // What waited for this run to install SkyPilot will not run: nothing may say it will.
    const dropped = state.waiting;
    next.waiting = [];
    if (dropped.some((name) => next.launchSaid === LAUNCH_SAID.waiting(name))) next.launchSaid = '';
    // The answer that failed may have come before this event (they come by two connections).
    if (next.error && next.error.body.message === event.message)
      next.error = { ...next.error, title: inInstallTitle(next.error.title) };
    const cancelled = event.code === 'interrupted';
    next.announcement = cancelled ? 'Installation cancelled.' : `${planOf(event, state.info).failed}: ${event.message}`;
    return logged(
      next,
      {
        kind: cancelled ? 'note' : 'bad',
        text: cancelled
          ? `Installation cancelled: ${event.message}`
          : `${planOf(event, state.info).failed} (${event.code ?? 'error'}): the error shown says what to do.`,
      },
      ...dropped.map((name) => ({
        kind: /** @type {const} */ ('note'),
        text: `${name} was to be launched once the cloud tools were installed: it is not. Launch it again once they are.`,
      })),
    );
  }
  return logged(next, { kind: 'install', text: installLine(event.message), phase: event.phase });
}

/** @param {State} state @param {OperationEvent} event @returns {State} */
function withOperationEvent(state, event) {
  const known = state.operations[event.operation_id];
  if (event.event === 'start') {
    const preview = event.command.includes('--dryrun');
    const next = logged(state, { kind: 'note', text: `$ ${event.command.join(' ')}` });
    const launch = event.kind === 'launch' && !preview ? event.name : null;
    return {
      ...next,
      preview: preview ? null : next.preview,
      waiting: next.waiting.filter((name) => name !== launch),
      // What was said beside Launch of the wait is true no more: the launch starts now.
      launchSaid:
        launch !== null && next.launchSaid === LAUNCH_SAID.waiting(launch)
          ? LAUNCH_SAID.launching(launch)
          : next.launchSaid,
      operations: {
        ...next.operations,
        [event.operation_id]: {
          id: event.operation_id,
          kind: event.kind,
          name: event.name,
          requestId: null,
          running: true,
          preview,
          failure: null,
          lines: 0,
          lastLine: '',
          previewHeader: '',
          previewStage: '',
          previewRows: 0,
        },
      },
    };
  }
  if (event.event === 'line') {
    // SkyPilot says it starts its local API server as if something failed: it is what happens when none runs.
    const starting = API_SERVER_STARTING.test(plain(event.line));
    const next = logged(
      state,
      starting
        ? { kind: 'note', text: 'SkyPilot’s local API server was not running: SkyPilot starts it.' }
        : { kind: 'action', text: event.line },
    );
    if (!known) return next;
    /** @type {Operation} */
    const operation = { ...known, lines: known.lines + 1, lastLine: event.line };
    const preview = known.preview && known.name ? previewed(operation, plain(event.line), known.name) : null;
    return { ...next, preview: preview ?? next.preview, operations: { ...next.operations, [known.id]: operation } };
  }
  if (event.event === 'cancellable') {
    if (!known) return state;
    return { ...state, operations: { ...state.operations, [known.id]: { ...known, requestId: event.request_id } } };
  }
  /** @type {State} */
  let next = logged(state, { kind: event.ok ? 'good' : 'bad', text: event.message });
  next.announcement = readable(event.message);
  // Once the launch said beside the button ends, that is said instead (a failure: its error is).
  if (known?.kind === 'launch' && !known.preview && next.launchSaid === LAUNCH_SAID.launching(known.name ?? ''))
    next.launchSaid = event.ok ? event.message : '';
  const operations = { ...next.operations };
  if (known && (event.ok || known.kind === 'check' || known.preview)) delete operations[known.id];
  else if (known) operations[known.id] = { ...known, running: false, failure: event.message };
  next = { ...next, operations };
  // A launch's or teardown's failure is an error where it happened, with what to do.
  if (!event.ok && known && (known.kind === 'launch' || known.kind === 'down') && known.name) {
    const body = {
      code: event.code ?? 'sky-failed',
      message: event.message,
      hint: event.hint ?? 'See the activity log.',
    };
    const action = known.kind === 'down' ? { kind: /** @type {const} */ ('tear-down'), name: known.name } : null;
    next = {
      ...next,
      error: {
        body,
        title: FAILED[known.kind === 'down' ? 'torn-down' : 'launched'],
        place: known.kind === 'down' ? 'servers' : 'launch',
        retry: action && !NOT_RETRYABLE.has(body.code) ? action : null,
      },
    };
  }
  return next;
}

/**
 * A preview's table, line by line (sky/optimizer.py, "Considered resources"): the row
 * CHOSEN marks, else the first (they are sorted by cost, and one task's chosen is the
 * cheapest). Updates the operation's stage; returns the preview when a row says it.
 * @param {Operation} operation @param {string} text @param {string} name
 * @returns {State['preview']}
 */
function previewed(operation, text, name) {
  const separator = /^\s*-{10,}\s*$/.test(text);
  if (/\bINSTANCE\b/.test(text) && /\bCOST\b/.test(text)) {
    operation.previewHeader = text;
    operation.previewStage = 'header';
  } else if (separator && operation.previewStage === 'header') operation.previewStage = 'rows';
  else if (separator && operation.previewStage === 'rows') operation.previewStage = 'done';
  else if (operation.previewStage === 'rows' && text.trim()) {
    operation.previewRows += 1;
    if (operation.previewRows > 1 && !text.includes('✔')) return null;
    const choice = previewChoice(operation.previewHeader, text);
    return choice ? { name, text: choice } : null;
  }
  return null;
}

/** A failure note stays while the server it is about is still listed. @param {State} state @param {ServersAnswer} answer */
function withServers(state, answer) {
  const operations = Object.fromEntries(
    Object.entries(state.operations).filter(
      ([, op]) => op.running || (op.kind !== 'check' && answer.servers.some((server) => server.name === op.name)),
    ),
  );
  return { ...state, servers: answer, operations };
}

/** The cloud added: the whole list, with its entry updated in place. @param {State} state @param {CloudEnableAnswer} answer @param {string} name */
function withCloudAdded(state, answer, name) {
  const check = answer.last_check ?? answer.check;
  const text = answer.enabled
    ? `${name} is added and enabled.`
    : `${name} is added; it still needs to be set up (see ${name} in the Clouds list).`;
  // SkyPilot checked this cloud alone, and may end with "No infra to check/enabled." above a list
  // where others are enabled: the log says what was checked.
  return logged(
    { ...state, check, announcement: text },
    { kind: 'note', text: `Only ${name} was checked; the other clouds are as the last Check Clouds listed them.` },
    { kind: answer.enabled ? 'good' : 'note', text },
  );
}

/** Whether what is said beside Launch is of a launch still asked for, running or waiting. @param {State} state */
function launchUnderWay(state) {
  if (state.pending.includes('launch')) return true;
  const running = Object.values(state.operations).filter((op) => op.kind === 'launch' && op.running && !op.preview);
  return (
    running.some((op) => state.launchSaid === LAUNCH_SAID.launching(op.name ?? '')) ||
    state.waiting.some((name) => state.launchSaid === LAUNCH_SAID.waiting(name))
  );
}

/** @param {State} state @param {Action} action @returns {State} */
function started(state, action) {
  const place = PLACE[action.kind];
  const next = {
    ...state,
    pending: [...state.pending, action.kind],
    error: state.error?.place === place ? null : state.error,
    settingsSaid: action.kind === 'save-settings' ? '' : state.settingsSaid,
    // What a launch became ("Server web-1 is up.") is old news once the user does something else;
    // a launch still under way or waiting is still what it says.
    launchSaid: launchUnderWay(state) ? state.launchSaid : '',
  };
  if (action.kind === 'cancel-install') return { ...next, cancelling: true };
  if (action.kind === 'tear-down') {
    // An earlier failure to tear it down is old news once it is tried again.
    const operations = Object.fromEntries(
      Object.entries(next.operations).filter(([, op]) => op.running || op.name !== action.name),
    );
    return { ...next, operations };
  }
  if (action.kind === 'launch' && action.request.dryrun) return { ...next, preview: null, launchSaid: '' };
  if (action.kind === 'launch') {
    const name = String(action.request.name);
    if (state.status?.source) return { ...next, launchSaid: LAUNCH_SAID.launching(name) };
    // It waits for the cloud tools to be installed before it starts: the servers list says so.
    return { ...next, waiting: [...next.waiting, name], launchSaid: LAUNCH_SAID.waiting(name) };
  }
  return next;
}

/**
 * The title of a Check Clouds or launch that failed in the install it needed first (its message is
 * the installer's): said so, or "Check Clouds failed" sits above a message about a download.
 * @param {string} title
 */
function inInstallTitle(title) {
  return title === FAILED.check || title === FAILED.launch ? `${title}: the cloud tools could not be installed` : title;
}

/** @param {State} state @param {ErrorBody} error @param {Action} action @returns {State} */
function failed(state, error, action) {
  // A run the user cancelled ends "interrupted": that is what they asked for, not an error.
  if (error.code === 'interrupted' && state.cancelling) return state;
  const retry = NOT_RETRYABLE.has(error.code) ? null : action;
  const launch = action.kind === 'launch';
  const last = state.install.at(-1);
  const inInstall = last?.phase === 'error' && last.message === error.message;
  const title = inInstall ? inInstallTitle(FAILED[action.kind]) : FAILED[action.kind];
  const waiting = launch ? state.waiting.filter((name) => name !== action.request.name) : state.waiting;
  // A sky run's failure is in the log already, as its end said it: not again under another title.
  const said = state.log.slice(-5).some((line) => line.text === error.message);
  return logged(
    {
      ...state,
      waiting,
      launchSaid: launch ? '' : state.launchSaid,
      error: { body: error, title, place: PLACE[action.kind], retry },
      settingsSaid: action.kind === 'save-settings' ? '' : state.settingsSaid,
      announcement: readable(error.message),
    },
    ...(said ? [] : [{ kind: /** @type {const} */ ('bad'), text: `${title}: ${error.message}` }]),
  );
}
