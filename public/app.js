// @ts-check
/**
 * The Carapace page: the cloud tools' status, Check Clouds, Launch Server, the
 * servers, the network settings, and the live install and action output from the
 * event stream (GET /events).
 *
 * A reload keeps the activity log and the last event id in sessionStorage and
 * resumes the stream from that id, so the events missed meanwhile are replayed.
 */

// The server's types (src/api.ts), checked by `tsc -p tsconfig.page.json`; none is declared here.
/** @typedef {import('../src/api.js').ErrorBody} ErrorBody */
/** @typedef {import('../src/api.js').InstallStatus} Status */
/** @typedef {import('../src/api.js').InstallEventData} InstallEvent */
/** @typedef {import('../src/api.js').OperationEventData} OperationEvent */
/** @typedef {import('../src/api.js').Snapshot} Snapshot */
/** @typedef {import('../src/api.js').Cluster} Cluster */
/** @typedef {import('../src/api.js').CloudCheckAnswer} CloudCheckAnswer */
/** @typedef {import('../src/api.js').CloudEnableAnswer} CloudEnableAnswer */
/** @typedef {import('../src/api.js').ServersAnswer} ServersAnswer */
/** @typedef {import('../src/api.js').SettingsAnswer} SettingsAnswer */
/** @typedef {import('../src/api.js').LogTail} LogTail */
/** @typedef {import('../src/api.js').Phase} Phase */
/** @typedef {import('../src/api.js').AppInfo} AppInfo */
/** @typedef {{kind: 'install'|'action'|'good'|'bad'|'note', text: string}} LogLine */
/**
 * A launch or teardown in progress, or one that failed (kept until the servers list says otherwise).
 * @typedef {{id: string, kind: 'launch'|'down', name: string, requestId: string|null, running: boolean, failure: string|null}} ServerOperation
 */

import { openEventStream } from './stream.js';

const STORAGE_KEY = 'carapace.page';
/** The token, kept for this tab only: sessionStorage is read by this origin (scheme, host and port) alone. */
const TOKEN_KEY = 'carapace.token';
const LOG_LIMIT = 1000;

/** @param {string} id */
function $(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element;
}

/** The log dialog's text: a read-only textarea, so that keyboards can scroll it. */
function logText() {
  return /** @type {HTMLTextAreaElement} */ ($('log-dialog-text'));
}

const state = {
  /** @type {Status|null} */ status: null,
  /** @type {InstallEvent[]} */ install: [],
  /** @type {LogLine[]} */ log: [],
  lastEventId: '',
  /** @type {(() => Promise<void>)|null} */ retry: null,
  /** @type {Map<string, ServerOperation>} */ operations: new Map(),
  /** @type {Cluster[]} */ servers: [],
  /** @type {{percent: number, at: number}|null} */ progressStart: null,
  /** @type {Map<string, (event: InstallEvent) => void>} */ installWaiters: new Map(),
};

// ---------------------------------------------------------------- persistence across reloads

function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (saved && Array.isArray(saved.log)) {
      state.log = saved.log;
      state.install = Array.isArray(saved.install) ? saved.install : [];
      state.lastEventId = typeof saved.lastEventId === 'string' ? saved.lastEventId : '';
    }
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
  }
}

let saveTimer = 0;
function save() {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => {
    const { log, install, lastEventId } = state;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ log: log.slice(-LOG_LIMIT), install, lastEventId }));
  }, 100);
}

// ---------------------------------------------------------------- the activity log

/** @param {LogLine} line */
function logLineElement(line) {
  const item = document.createElement('li');
  if (line.kind === 'install') {
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = '[install] ';
    item.append(tag, line.text);
  } else {
    item.textContent = line.text;
    if (line.kind === 'good' || line.kind === 'bad') item.className = line.kind;
  }
  return item;
}

/** @param {LogLine} line */
function addLog(line) {
  state.log.push(line);
  if (state.log.length > LOG_LIMIT) state.log.shift();
  const log = $('log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  log.append(logLineElement(line));
  while (log.childElementCount > LOG_LIMIT) log.firstElementChild?.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
  save();
}

function renderLog() {
  $('log').replaceChildren(...state.log.map(logLineElement));
}

// ---------------------------------------------------------------- the status

/** @param {string} term @param {string} value */
function detail(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  return [dt, dd];
}

function renderStatus() {
  const status = state.status;
  if (!status) return;
  const text = $('status-text');
  const details = [];
  if (status.state === 'installed' && status.source === 'path') {
    text.textContent = 'SkyPilot is ready: installed outside Carapace (found on PATH).';
  } else if (status.state === 'installed') {
    text.textContent = 'SkyPilot is ready, installed by Carapace.';
  } else if (status.state === 'installing') {
    text.textContent = status.install_id
      ? 'Installing cloud tools…'
      : 'Cloud tools are being installed by another program (e.g. a terminal); actions will wait for it.';
  } else if (status.state === 'error') {
    text.textContent = 'The last installation failed. Retry, or use Install / Repair.';
  } else {
    text.textContent = 'SkyPilot is not installed yet. It installs itself when you check clouds or launch a server.';
  }
  if (status.sky_version) details.push(...detail('SkyPilot', status.sky_version));
  if (status.uv_version) details.push(...detail('uv', status.uv_version));
  if (status.extras) details.push(...detail('Clouds installed', status.extras.join(', ') || 'none'));
  if (status.sky_path) details.push(...detail('Location', status.sky_path));
  const server = status.api_server;
  if (server.team) details.push(...detail('API server', `your team’s, at ${server.endpoint}`));
  else if (server.running) details.push(...detail('API server', `SkyPilot’s local one, running at ${server.endpoint}`));
  details.push(...detail('Folder', status.carapace_home));
  $('status-details').replaceChildren(...details);
  const managed = status.state === 'installed' && status.source === 'managed';
  $('install-button').textContent = status.state === 'installed' ? 'Repair' : 'Install / Repair';
  $('update-button').hidden = !managed;
  $('uninstall-button').hidden = !(managed || status.state === 'error');
  renderCloudChoices();
  if (status.state === 'installing') $('progress-panel').hidden = false;
}

/** The launch form offers only clouds whose libraries are installed (when that is known). */
function renderCloudChoices() {
  const extras = state.status?.extras ?? null;
  const select = /** @type {HTMLSelectElement} */ ($('server-cloud'));
  for (const option of select.options) {
    if (!option.value) continue;
    const installed = extras === null || extras.includes(option.value);
    option.disabled = !installed;
    option.textContent = `${option.textContent?.replace(/ \(add it first\)$/, '')}${installed ? '' : ' (add it first)'}`;
  }
  if (select.selectedOptions[0]?.disabled) select.value = '';
}

// ---------------------------------------------------------------- install progress

const STEP_OF = /** @type {Record<Phase, string>} */ ({
  checking: 'checking',
  downloading: 'downloading',
  installing: 'installing',
  verifying: 'verifying',
  complete: 'complete',
  error: '',
});

/** The step each event belongs to: checking the download's checksum is part of downloading. */
function currentStep() {
  let step = 'checking';
  let installed = false;
  for (const event of state.install) {
    if (event.phase === 'installing') installed = true;
    if (event.phase === 'error') continue;
    step = event.phase === 'verifying' && !installed ? 'downloading' : STEP_OF[event.phase];
  }
  return step;
}

/** @param {number} bytes */
const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

function renderProgress() {
  const events = state.install;
  if (events.length === 0) return;
  $('progress-panel').hidden = false;
  const step = currentStep();
  const last = events.at(-1);
  const failed = last?.phase === 'error';
  const order = [...$('steps').querySelectorAll('li')].map((item) => item.dataset.step ?? '');
  const index = order.indexOf(step);
  for (const item of $('steps').querySelectorAll('li')) {
    const position = order.indexOf(item.dataset.step ?? '');
    item.className = '';
    item.removeAttribute('aria-current');
    if (position < index || (step === 'complete' && position === index)) item.className = 'done';
    else if (position === index) {
      item.className = failed ? 'failed' : 'active';
      item.setAttribute('aria-current', 'step');
    }
  }
  const bar = /** @type {HTMLProgressElement} */ ($('download-progress'));
  const measured = [...events].reverse().find((event) => event.percent !== null || event.bytes !== null);
  let percent = step === 'complete' ? 100 : (measured?.percent ?? 0);
  // The bar never goes back within an install.
  percent = Math.max(percent, Number(bar.dataset.top ?? 0));
  if (step !== 'complete') percent = Math.min(percent, 99);
  bar.dataset.top = String(percent);
  bar.value = percent;
  let text = `${percent}%`;
  if (measured?.bytes != null && measured.phase === 'downloading') {
    text += measured.total
      ? ` (${megabytes(measured.bytes)} of ${megabytes(measured.total)} MB)`
      : ` (${megabytes(measured.bytes)} MB)`;
  }
  const left = secondsLeft(percent);
  if (left !== null && !failed && step !== 'complete') text += `, about ${left} s left`;
  $('download-text').textContent = text;
  $('progress-text').textContent = failed
    ? 'The installation stopped: see “Something went wrong”.'
    : (last?.message ?? '');
  $('progress-title').textContent =
    step === 'complete' ? 'Cloud tools installed' : failed ? 'Installation failed' : 'Installing cloud tools';
}

/** Time left from the progress so far, once there is enough of it to be stable. */
/** @param {number} percent */
function secondsLeft(percent) {
  const now = performance.now();
  if (!state.progressStart || percent < state.progressStart.percent) state.progressStart = { percent, at: now };
  const done = percent - state.progressStart.percent;
  const elapsed = (now - state.progressStart.at) / 1000;
  if (done < 5 || elapsed < 3) return null;
  return Math.max(1, Math.round((elapsed / done) * (100 - percent)));
}

// ---------------------------------------------------------------- errors

/** @param {ErrorBody} error @param {(() => Promise<void>)|null} retry */
function showError(error, retry) {
  $('error-message').textContent = error.message;
  $('error-hint').textContent = error.hint;
  $('error-code').textContent = error.code;
  state.retry = retry;
  $('retry-button').hidden = !retry;
  const panel = $('error-panel');
  panel.hidden = false;
  (retry ? $('retry-button') : panel).focus();
}

function hideError() {
  $('error-panel').hidden = true;
}

// ---------------------------------------------------------------- clouds

/** @param {string} text */
function reasonElement(text) {
  const why = document.createElement('span');
  why.className = 'reason';
  why.textContent = text;
  return why;
}

/** @param {CloudCheckAnswer} check */
function renderClouds(check) {
  const items = [];
  for (const cloud of check.enabled) {
    const item = document.createElement('li');
    const badge = document.createElement('span');
    badge.className = 'enabled';
    badge.textContent = 'enabled';
    item.append(`${cloud.name}: `, badge, cloud.capabilities.length ? ` (${cloud.capabilities.join(', ')})` : '');
    items.push(item);
  }
  for (const cloud of check.disabled) {
    const item = document.createElement('li');
    item.dataset.cloud = cloud.name;
    const badge = document.createElement('span');
    badge.className = 'disabled';
    badge.textContent = 'disabled';
    item.append(`${cloud.name}: `, badge);
    for (const reason of cloud.reasons) {
      item.append(
        reasonElement(reason.capabilities.length ? `${reason.capabilities.join(', ')}: ${reason.text}` : reason.text),
      );
    }
    const extra = cloud.missing_extra;
    if (extra) {
      const add = document.createElement('button');
      add.type = 'button';
      add.className = 'secondary';
      add.textContent = `Add ${cloud.name}`;
      add.addEventListener('click', () => void addCloud(cloud.name, extra));
      item.append(add);
    }
    items.push(item);
  }
  for (const workspace of check.workspaces.length > 1 ? check.workspaces : []) {
    const item = document.createElement('li');
    item.textContent = `Workspace ${workspace.workspace}: ${workspace.enabled.map((cloud) => cloud.name).join(', ') || 'nothing enabled'}`;
    items.push(item);
  }
  $('clouds-list').replaceChildren(...items);
  $('clouds-panel').hidden = false;
}

// ---------------------------------------------------------------- servers

/** @param {string} text @param {boolean} [bad] */
function note(text, bad = false) {
  const span = document.createElement('span');
  span.className = bad ? 'note bad' : 'note';
  span.textContent = text;
  return span;
}

function renderServers() {
  const byName = new Map(state.servers.map((server) => [server.name, server]));
  const rows = [];
  for (const server of state.servers) rows.push(serverRow(server));
  for (const operation of state.operations.values()) {
    if (operation.kind === 'launch' && operation.running && !byName.has(operation.name))
      rows.push(launchingRow(operation));
  }
  $('servers-body').replaceChildren(...rows);
  $('servers-table').hidden = rows.length === 0;
  $('servers-empty').hidden = rows.length > 0;
}

/** @param {Cluster} server */
function serverRow(server) {
  const row = document.createElement('tr');
  const operation = [...state.operations.values()].find((op) => op.name === server.name);
  const name = document.createElement('td');
  name.append(server.name);
  if (operation?.failure) name.append(note(operation.failure, true));
  const status = document.createElement('td');
  status.className = server.status === 'UP' ? 'status-up' : '';
  if (operation?.running) {
    const spinner = document.createElement('span');
    spinner.className = 'spinner';
    spinner.setAttribute('aria-hidden', 'true');
    status.append(spinner, operation.kind === 'down' ? 'Tearing down…' : `Launching… (${server.status})`);
  } else {
    status.append(server.status);
  }
  const cells = [
    name,
    cell(server.infra),
    cell(server.resources, true),
    status,
    cell(autostopText(server.autostop), true),
  ];
  const actions = document.createElement('td');
  if (operation?.running && operation.kind === 'launch' && operation.requestId) actions.append(cancelButton(operation));
  else actions.append(tearDownButton(server.name, Boolean(operation?.running)));
  row.append(...cells, actions);
  return row;
}

/** @param {ServerOperation} operation */
function launchingRow(operation) {
  const row = document.createElement('tr');
  const status = document.createElement('td');
  const spinner = document.createElement('span');
  spinner.className = 'spinner';
  spinner.setAttribute('aria-hidden', 'true');
  status.append(spinner, 'Launching…');
  const actions = document.createElement('td');
  if (operation.requestId) actions.append(cancelButton(operation));
  row.append(cell(operation.name), cell('…'), cell('', true), status, cell('', true), actions);
  return row;
}

/** @param {string} text @param {boolean} [optional] */
function cell(text, optional = false) {
  const td = document.createElement('td');
  td.textContent = text;
  if (optional) td.className = 'optional';
  return td;
}

/** @param {string} autostop */
function autostopText(autostop) {
  if (!autostop || autostop === '-') return 'off: runs until torn down';
  return autostop.replace(/^(\d+)m/, 'after $1 min').replace('(down)', '(tear down)');
}

/** @param {string} name @param {boolean} busy */
function tearDownButton(name, busy) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = 'Tear down';
  button.disabled = busy;
  button.setAttribute('aria-label', `Tear down ${name}`);
  button.addEventListener('click', () => void confirmTearDown(name));
  return button;
}

/** @param {ServerOperation} operation */
function cancelButton(operation) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = 'Cancel';
  button.setAttribute('aria-label', `Cancel the launch of ${operation.name}`);
  button.addEventListener('click', () => void cancelLaunch(operation));
  return button;
}

// ---------------------------------------------------------------- the event stream

/** @param {{data: string, id: string}} message */
function data(message) {
  if (message.id) state.lastEventId = message.id;
  save();
  return JSON.parse(message.data);
}

/** @param {InstallEvent} event */
function onInstall(event) {
  if (state.install[0] && state.install[0].install_id !== event.install_id) {
    state.install = [];
    state.progressStart = null;
    delete $('download-progress').dataset.top;
  }
  state.install.push(event);
  if (event.phase === 'error') {
    addLog({ kind: 'bad', text: `Installation failed (${event.code ?? 'error'}): see “Something went wrong”.` });
  } else {
    const percent = event.percent === null ? '' : ` ${event.percent}%`;
    addLog({ kind: 'install', text: `${event.phase}${percent}: ${event.message}` });
  }
  renderProgress();
  if (event.phase === 'complete' || event.phase === 'error') state.installWaiters.get(event.install_id)?.(event);
}

/** @param {OperationEvent} event */
function onOperation(event) {
  const serverOperation = event.kind === 'launch' || event.kind === 'down';
  if (event.event === 'start') {
    addLog({ kind: 'note', text: `$ ${event.command.join(' ')}` });
    if (serverOperation && event.name) {
      const kind = /** @type {'launch'|'down'} */ (event.kind);
      state.operations.set(event.operation_id, {
        id: event.operation_id,
        kind,
        name: event.name,
        requestId: null,
        running: true,
        failure: null,
      });
      renderServers();
    }
  } else if (event.event === 'line') {
    addLog({ kind: 'action', text: event.line });
  } else if (event.event === 'cancellable') {
    const operation = state.operations.get(event.operation_id);
    if (operation) operation.requestId = event.request_id;
    renderServers();
  } else if (event.event === 'end') {
    addLog({ kind: event.ok ? 'good' : 'bad', text: event.message });
    const operation = state.operations.get(event.operation_id);
    if (operation) {
      operation.running = false;
      operation.failure = event.ok ? null : event.message;
      if (event.ok) state.operations.delete(event.operation_id);
    }
    if (serverOperation) void refreshServers();
  }
}

/** @param {{data: string, id: string}} message */
function onSnapshot(message) {
  const snapshot = /** @type {Snapshot} */ (data(message));
  state.status = snapshot.status;
  // A fresh start: what is running now replaces whatever this tab remembered.
  state.log = [];
  state.install = [];
  renderLog();
  for (const event of snapshot.install?.events ?? []) onInstall(event);
  for (const operation of snapshot.operations) {
    if ((operation.kind === 'launch' || operation.kind === 'down') && operation.name) {
      state.operations.set(operation.operation_id, {
        id: operation.operation_id,
        kind: operation.kind,
        name: operation.name,
        requestId: operation.request_id,
        running: true,
        failure: null,
      });
    }
    for (const { line } of operation.lines) addLog({ kind: 'action', text: line });
  }
  renderStatus();
  void refreshServers();
}

/** @param {{data: string, id: string}} message */
function onStatus(message) {
  const before = state.status?.state;
  state.status = /** @type {Status} */ (data(message));
  renderStatus();
  if (before !== 'installed' && state.status.state === 'installed') void refreshServers();
}

function connect() {
  openEventStream('/events', {
    token,
    lastEventId: state.lastEventId,
    onUnauthorized: showLogin,
    onEvent(event) {
      if (event.type === 'snapshot') onSnapshot(event);
      else if (event.type === 'status') onStatus(event);
      else if (event.type === 'install') onInstall(data(event));
      else if (event.type === 'operation') onOperation(data(event));
    },
  });
}

// ---------------------------------------------------------------- calls and actions

/**
 * A call to the server: a JSON body for anything that changes something ({} when there is nothing to say).
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<{ok: boolean, status: number, body: any}>}
 */
async function call(method, path, body) {
  const sends = method !== 'GET' && method !== 'DELETE';
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token()}` };
  if (sends) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: sends ? JSON.stringify(body ?? {}) : undefined });
  if (response.status === 401) showLogin();
  return { ok: response.ok, status: response.status, body: await response.json() };
}

/** @param {{ok: boolean, body: any}} result */
function orThrow(result) {
  if (!result.ok) throw result.body;
  return result.body;
}

/** Runs an action with the buttons disabled; a failure shows its message, hint and a Retry. */
function action(/** @type {() => Promise<void>} */ run) {
  const attempt = async () => {
    hideError();
    const buttons = [...document.querySelectorAll('main button')].map(
      (button) => /** @type {HTMLButtonElement} */ (button),
    );
    const enabled = buttons.filter((button) => !button.disabled);
    for (const button of enabled) button.disabled = true;
    try {
      await run();
    } catch (error) {
      const body = /** @type {ErrorBody} */ (
        error && typeof error === 'object' && 'code' in error
          ? error
          : { code: 'internal', message: String(error), hint: 'Check that Carapace is still running, then retry.' }
      );
      showError(body, attempt);
    } finally {
      for (const button of enabled) button.disabled = false;
    }
  };
  return attempt;
}

/** The end of an install this page started (its complete or error line). */
/** @param {string} installId */
function installEnded(installId) {
  const done = state.install.find(
    (event) => event.install_id === installId && (event.phase === 'complete' || event.phase === 'error'),
  );
  if (done) return Promise.resolve(done);
  return new Promise((resolve) => state.installWaiters.set(installId, resolve));
}

/** Starts an installer run (install, update, uninstall) and waits for its end. */
/** @param {string} path @param {unknown} [body] */
async function installerRun(path, body) {
  const started = orThrow(await call('POST', path, body));
  if (!started.install_id) return null;
  const end = await installEnded(started.install_id);
  state.installWaiters.delete(started.install_id);
  if (end.phase === 'error') throw { code: end.code ?? 'internal', message: end.message, hint: end.hint ?? '' };
  return end;
}

const checkClouds = action(async () => {
  addLog({ kind: 'note', text: 'Check Clouds' });
  renderClouds(orThrow(await call('POST', '/clouds/check')));
});

const install = action(async () => {
  const force = state.status?.state === 'installed';
  addLog({ kind: 'note', text: force ? 'Repair cloud tools' : 'Install cloud tools' });
  await installerRun('/install', { force });
});

// The complete line says which version replaced which; a failure's hint says the old one is still in use.
const update = action(async () => {
  addLog({ kind: 'note', text: 'Update SkyPilot' });
  await installerRun('/update');
});

const uninstall = action(async () => {
  if (
    !(await confirm(
      'Uninstall the cloud tools? SkyPilot, uv and the managed Python are removed from Carapace’s folder. Your servers keep running; install again to manage them.',
    ))
  )
    return;
  addLog({ kind: 'note', text: 'Uninstall cloud tools' });
  await installerRun('/uninstall');
  state.servers = [];
  renderServers();
});

/** @param {string} name @param {string} extra */
function addCloud(name, extra) {
  return action(async () => {
    addLog({ kind: 'note', text: `Add ${name}` });
    const answer = /** @type {CloudEnableAnswer} */ (
      orThrow(await call('POST', `/clouds/${encodeURIComponent(extra)}/enable`))
    );
    renderClouds(answer.check);
    addLog({
      kind: answer.enabled ? 'good' : 'note',
      text: answer.enabled
        ? `${name} is installed and enabled.`
        : `${name}'s libraries are installed; ${name} still needs its credentials (see the Clouds list).`,
    });
  })();
}

/** @param {HTMLFormElement} form */
function launchRequest(form) {
  const fields = new FormData(form);
  /** @type {Record<string, unknown>} */
  const request = { name: String(fields.get('name') ?? '').trim() };
  for (const key of ['cloud', 'cpus', 'memory']) {
    const value = String(fields.get(key) ?? '').trim();
    if (value) request[key] = value;
  }
  request.use_spot = fields.get('use_spot') === 'on';
  request.dryrun = fields.get('dryrun') === 'on';
  request.autostop =
    fields.get('autostop') === 'on'
      ? { idle_minutes: Number(fields.get('idle_minutes') ?? 60), down: fields.get('idle_action') === 'down' }
      : null;
  return request;
}

/** @param {HTMLFormElement} form */
function launch(form) {
  const request = launchRequest(form);
  return action(async () => {
    addLog({ kind: 'note', text: `Launch Server ${request.name}${request.dryrun ? ' (preview)' : ''}` });
    orThrow(await call('POST', '/servers', request));
  })();
}

/** @param {string} text */
function confirm(text) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm-dialog'));
  $('confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true }),
  );
}

/** @param {string} name */
async function confirmTearDown(name) {
  if (!(await confirm(`Tear down ${name}? The server and its disk are deleted; this cannot be undone.`))) return;
  await action(async () => {
    addLog({ kind: 'note', text: `Tear down ${name}` });
    for (const [id, operation] of state.operations)
      if (operation.name === name && !operation.running) state.operations.delete(id);
    orThrow(await call('DELETE', `/servers/${encodeURIComponent(name)}`));
  })();
}

/** @param {ServerOperation} operation */
function cancelLaunch(operation) {
  return action(async () => {
    const answer = orThrow(await call('POST', `/operations/${encodeURIComponent(operation.id)}/cancel`));
    addLog({ kind: 'note', text: answer.message });
  })();
}

async function refreshServers() {
  if (state.status?.state !== 'installed') return;
  const result = await call('GET', '/servers');
  if (!result.ok) return;
  state.servers = /** @type {ServersAnswer} */ (result.body).servers;
  // A failure note stays while the server it is about is still listed.
  for (const [id, operation] of state.operations) {
    if (!operation.running && !state.servers.some((server) => server.name === operation.name))
      state.operations.delete(id);
  }
  renderServers();
}

async function showLog() {
  const result = await call('GET', '/logs/install');
  const dialog = /** @type {HTMLDialogElement} */ ($('log-dialog'));
  if (result.ok) {
    const tail = /** @type {LogTail} */ (result.body);
    $('log-dialog-path').textContent = `${tail.path}${tail.omitted ? ` (the last ${tail.lines.length} lines)` : ''}`;
    logText().value = tail.lines.join('\n') || '(empty)';
  } else {
    $('log-dialog-path').textContent = '';
    logText().value = /** @type {ErrorBody} */ (result.body).message;
  }
  dialog.showModal();
}

// ---------------------------------------------------------------- settings

async function loadSettings() {
  const result = await call('GET', '/settings');
  if (result.ok) renderSettings(result.body);
}

/** @param {SettingsAnswer} answer */
function renderSettings(answer) {
  const form = $('settings-form');
  const fields = answer.settings.map((setting) => {
    const field = document.createElement('div');
    field.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = `setting-${setting.name}`;
    label.textContent = setting.label;
    const input = document.createElement('input');
    input.id = `setting-${setting.name}`;
    input.name = setting.name;
    input.value = setting.value;
    input.autocomplete = 'off';
    input.spellcheck = false;
    input.disabled = setting.source === 'environment';
    const help = document.createElement('small');
    help.id = `setting-${setting.name}-help`;
    help.textContent =
      setting.source === 'environment'
        ? `Set by ${setting.name} in Carapace's environment, which wins over this page.`
        : setting.help;
    input.setAttribute('aria-describedby', help.id);
    field.append(label, input, help);
    return field;
  });
  const saveButton = document.createElement('button');
  saveButton.type = 'submit';
  saveButton.textContent = 'Save settings';
  const said = document.createElement('p');
  said.id = 'settings-said';
  said.setAttribute('role', 'status');
  said.className = 'muted';
  form.replaceChildren(...fields, saveButton, said);
}

const saveSettings = action(async () => {
  const form = /** @type {HTMLFormElement} */ ($('settings-form'));
  /** @type {Record<string, string>} */
  const values = {};
  for (const input of form.querySelectorAll('input')) if (!input.disabled) values[input.name] = input.value.trim();
  renderSettings(orThrow(await call('PUT', '/settings', { values })));
  $('settings-said').textContent = 'Saved. The next install or action uses them.';
});

// ---------------------------------------------------------------- the token

/** The token this tab was given: from the printed link, or pasted into the login card. */
function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/**
 * The printed link carries the token in its fragment (`/#token=…`), which a browser
 * never sends to the server: keep it for this tab and take it out of the address
 * bar and of this tab's history entry.
 */
function takeTokenFromAddress() {
  const given = new URLSearchParams(location.hash.slice(1)).get('token');
  if (given === null) return;
  sessionStorage.setItem(TOKEN_KEY, given);
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

/** Without a token that works, the page is a login card: nothing else on it could work. */
function showLogin() {
  sessionStorage.removeItem(TOKEN_KEY);
  $('app').hidden = true;
  $('login-card').hidden = false;
  $('login-token').focus();
}

/** @param {SubmitEvent} event */
async function logIn(event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('login-token'));
  const given = input.value.trim();
  const response = await fetch('/status', { headers: { authorization: `Bearer ${given}` } });
  if (!response.ok) {
    $('login-error').textContent =
      response.status === 401
        ? 'That is not the token of this Carapace: check it and paste it again.'
        : 'Carapace did not answer: is it still running?';
    input.focus();
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, given);
  location.reload();
}

// ---------------------------------------------------------------- start

async function start() {
  $('login-form').addEventListener('submit', (event) => void logIn(/** @type {SubmitEvent} */ (event)));
  takeTokenFromAddress();
  const status = await call('GET', '/status');
  if (!status.ok) return;
  $('login-card').hidden = true;
  $('app').hidden = false;
  restore();
  renderLog();
  renderProgress();
  state.status = status.body;
  renderStatus();
  const info = /** @type {AppInfo} */ ((await call('GET', '/app-info')).body);
  $('demo-banner').hidden = !info.demo;
  const select = /** @type {HTMLSelectElement} */ ($('server-cloud'));
  for (const cloud of info.clouds) select.add(new Option(cloud.name, cloud.id));
  renderCloudChoices();
  $('check-button').addEventListener('click', () => void checkClouds());
  $('install-button').addEventListener('click', () => void install());
  $('update-button').addEventListener('click', () => void update());
  $('uninstall-button').addEventListener('click', () => void uninstall());
  $('retry-button').addEventListener('click', () => void state.retry?.());
  $('error-close').addEventListener('click', hideError);
  $('log-button').addEventListener('click', () => void showLog());
  $('error-log-button').addEventListener('click', () => void showLog());
  $('launch-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void launch(/** @type {HTMLFormElement} */ (event.target));
  });
  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void saveSettings();
  });
  connect();
  void loadSettings();
}

void start();
