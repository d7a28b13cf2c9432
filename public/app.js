// @ts-check
/**
 * The Carapace page: status, Check Clouds, Launch Server, the servers list, and
 * the live install and action output from the event stream (GET /events).
 *
 * A reload keeps the activity log and the last event id in sessionStorage and
 * resumes the stream from that id, so the events missed meanwhile are replayed.
 */

/** @typedef {{code: string, message: string, hint: string}} ErrorBody */
/**
 * @typedef {{state: 'not_installed'|'installing'|'installed'|'error', source: 'managed'|'path'|null,
 *   uv_version: string|null, sky_version: string|null, sky_path: string|null, carapace_home: string,
 *   installing_since: string|null, install_id: string|null, last_error: ErrorBody|null}} Status
 */
/**
 * @typedef {{install_id: string, phase: string, percent: number|null, code: string|null, message: string,
 *   hint: string|null, log: string|null}} InstallEvent
 */
/** @typedef {{kind: 'install'|'action'|'good'|'bad'|'note', text: string}} LogLine */

const STEPS = ['checking', 'downloading', 'installing', 'verifying', 'complete'];
const STORAGE_KEY = 'carapace.page';
const LOG_LIMIT = 1000;

/** @param {string} id */
function $(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element;
}

const state = {
  /** @type {Status|null} */ status: null,
  /** @type {InstallEvent[]} */ install: [],
  /** @type {LogLine[]} */ log: [],
  lastEventId: '',
  /** @type {(() => Promise<void>)|null} */ retry: null,
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

// ---------------------------------------------------------------- rendering

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
  if (status.sky_path) details.push(...detail('Location', status.sky_path));
  details.push(...detail('Folder', status.carapace_home));
  $('status-details').replaceChildren(...details);
  $('install-button').textContent = status.state === 'installed' ? 'Repair' : 'Install / Repair';
  if (status.state === 'error' && status.last_error && $('error-panel').hidden) {
    showError(status.last_error, install);
  }
  if (status.state === 'installing') $('progress-panel').hidden = false;
}

/** The step an install event belongs to: checking the download's checksum is part of downloading. */
function currentStep() {
  let step = '';
  let installed = false;
  for (const event of state.install) {
    if (event.phase === 'installing') installed = true;
    if (event.phase === 'error') continue;
    step = event.phase === 'verifying' && !installed ? 'downloading' : event.phase;
  }
  return step;
}

function renderProgress() {
  const events = state.install;
  if (events.length === 0) return;
  $('progress-panel').hidden = false;
  const step = currentStep();
  const failed = events.at(-1)?.phase === 'error';
  const index = STEPS.indexOf(step);
  for (const item of $('steps').querySelectorAll('li')) {
    const position = STEPS.indexOf(item.dataset.step ?? '');
    item.className = '';
    item.removeAttribute('aria-current');
    if (position < index || (step === 'complete' && position === index)) item.className = 'done';
    else if (position === index) {
      item.className = failed ? 'failed' : 'active';
      item.setAttribute('aria-current', 'step');
    }
  }
  const download = [...events].reverse().find((event) => event.phase === 'downloading' && event.percent !== null);
  const bar = /** @type {HTMLProgressElement} */ ($('download-progress'));
  bar.value = download?.percent ?? (index > 1 ? 100 : 0);
  $('download-text').textContent = download ? `${download.percent}% (${download.message.split(': ').at(-1)})` : '';
  $('progress-text').textContent = events.at(-1)?.message ?? '';
  $('progress-title').textContent =
    step === 'complete' ? 'Cloud tools installed' : failed ? 'Installation failed' : 'Installing cloud tools';
}

/** @param {ErrorBody} error @param {(() => Promise<void>)|null} retry */
function showError(error, retry) {
  $('error-message').textContent = error.message;
  $('error-hint').textContent = error.hint;
  $('error-code').textContent = error.code;
  state.retry = retry;
  $('retry-button').hidden = !retry;
  $('error-panel').hidden = false;
}

function hideError() {
  $('error-panel').hidden = true;
}

/** @param {{enabled: {name: string, capabilities: string[]}[], disabled: {name: string, reasons: {capability: string|null, text: string}[]}[]}} check */
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
    const badge = document.createElement('span');
    badge.className = 'disabled';
    badge.textContent = 'disabled';
    item.append(`${cloud.name}: `, badge);
    for (const reason of cloud.reasons) {
      const why = document.createElement('span');
      why.className = 'reason';
      why.textContent = reason.capability ? `${reason.capability}: ${reason.text}` : reason.text;
      item.append(why);
    }
    items.push(item);
  }
  $('clouds-list').replaceChildren(...items);
  $('clouds-panel').hidden = false;
}

/** @param {{name: string, infra: string, resources: string, status: string}[]} servers */
function renderServers(servers) {
  const rows = servers.map((server) => {
    const row = document.createElement('tr');
    for (const value of [server.name, server.infra, server.resources, server.status]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    const actions = document.createElement('td');
    const down = document.createElement('button');
    down.type = 'button';
    down.className = 'secondary';
    down.textContent = 'Tear down';
    down.setAttribute('aria-label', `Tear down ${server.name}`);
    down.addEventListener('click', () => void tearDown(server.name));
    actions.append(down);
    row.append(actions);
    return row;
  });
  $('servers-body').replaceChildren(...rows);
  $('servers-table').hidden = servers.length === 0;
  $('servers-empty').hidden = servers.length > 0;
}

// ---------------------------------------------------------------- the event stream

/** @param {MessageEvent} message */
function data(message) {
  if (message.lastEventId) state.lastEventId = message.lastEventId;
  save();
  return JSON.parse(String(message.data));
}

/** @param {InstallEvent} event */
function onInstall(event) {
  if (state.install[0] && state.install[0].install_id !== event.install_id) state.install = [];
  state.install.push(event);
  const percent = event.percent === null ? '' : ` ${event.percent}%`;
  addLog({ kind: 'install', text: `${event.phase}${percent}: ${event.message}` });
  if (event.phase === 'error' && event.code) {
    addLog({ kind: 'bad', text: `What to do: ${event.hint ?? 'retry.'}` });
  }
  renderProgress();
}

/** @param {Record<string, unknown>} event */
function onOperation(event) {
  if (event.event === 'start') {
    addLog({ kind: 'note', text: `$ ${/** @type {string[]} */ (event.command).join(' ')}` });
  } else if (event.event === 'line') {
    addLog({ kind: 'action', text: String(event.line) });
  } else if (event.event === 'end') {
    addLog({ kind: event.ok ? 'good' : 'bad', text: String(event.message) });
    if (event.kind === 'launch' || event.kind === 'down') void refreshServers();
  }
}

function connect() {
  const resume = state.lastEventId ? `?lastEventId=${encodeURIComponent(state.lastEventId)}` : '';
  const source = new EventSource(`/events${resume}`);
  source.addEventListener('snapshot', (message) => {
    const snapshot = data(message);
    state.status = snapshot.status;
    // A fresh start: what is running now replaces whatever this tab remembered.
    state.log = [];
    state.install = [];
    renderLog();
    for (const event of snapshot.install?.events ?? []) onInstall(event);
    for (const operation of snapshot.operations ?? []) {
      for (const { line } of operation.lines) addLog({ kind: 'action', text: line });
    }
    renderStatus();
    if (snapshot.status.state === 'installed') void refreshServers();
  });
  source.addEventListener('status', (message) => {
    const before = state.status?.state;
    state.status = data(message);
    renderStatus();
    if (before !== 'installed' && state.status?.state === 'installed') void refreshServers();
  });
  source.addEventListener('install', (message) => onInstall(data(message)));
  source.addEventListener('operation', (message) => onOperation(data(message)));
}

// ---------------------------------------------------------------- actions

/**
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<{ok: boolean, status: number, body: any}>}
 */
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ok: response.ok, status: response.status, body: await response.json() };
}

/** Runs an action with its buttons disabled; a failure shows its message, hint and a Retry. */
function action(/** @type {() => Promise<void>} */ run) {
  const attempt = async () => {
    hideError();
    const buttons = document.querySelectorAll('button');
    for (const button of buttons) button.disabled = true;
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
      for (const button of buttons) button.disabled = false;
    }
  };
  return attempt;
}

/** @param {{ok: boolean, body: any}} result */
function orThrow(result) {
  if (!result.ok) throw result.body;
  return result.body;
}

const checkClouds = action(async () => {
  addLog({ kind: 'note', text: 'Check Clouds' });
  renderClouds(orThrow(await call('POST', '/clouds/check')));
});

const install = action(async () => {
  const force = state.status?.state === 'installed';
  addLog({ kind: 'note', text: force ? 'Repair cloud tools' : 'Install cloud tools' });
  const started = orThrow(await call('POST', '/install', { force }));
  if (!started.install_id) return;
  // Wait for this install to end, so that a failure shows here with its Retry.
  await new Promise((resolve, reject) => {
    const timer = window.setInterval(() => {
      const last = state.install.at(-1);
      if (!last || last.install_id !== started.install_id) return;
      if (last.phase === 'complete') resolve(undefined);
      if (last.phase === 'error') reject({ code: last.code, message: last.message, hint: last.hint ?? '' });
      if (last.phase === 'complete' || last.phase === 'error') window.clearInterval(timer);
    }, 100);
  });
});

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

/** @param {string} name */
function tearDown(name) {
  return action(async () => {
    addLog({ kind: 'note', text: `Tear down ${name}` });
    orThrow(await call('DELETE', `/servers/${encodeURIComponent(name)}`));
  })();
}

async function refreshServers() {
  if (state.status?.state !== 'installed') return;
  const result = await call('GET', '/servers');
  if (result.ok) renderServers(result.body.servers);
}

async function start() {
  restore();
  renderLog();
  renderProgress();
  const [info, status] = await Promise.all([call('GET', '/app-info'), call('GET', '/status')]);
  $('demo-banner').hidden = !info.body.demo;
  state.status = status.body;
  renderStatus();
  $('check-button').addEventListener('click', () => void checkClouds());
  $('install-button').addEventListener('click', () => void install());
  $('retry-button').addEventListener('click', () => void state.retry?.());
  $('launch-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void launch(/** @type {HTMLFormElement} */ (event.target));
  });
  connect();
}

void start();
