// @ts-check
/**
 * The Carapace page: the cloud tools' status and install, Check Clouds, Launch Server,
 * the servers, the network settings, and the live install and action output from the
 * event stream (GET /events).
 *
 * Every change goes through `apply` (state.js) as an event; the panels draw the
 * state. A reload keeps the activity log in sessionStorage; the stream's first event
 * is a snapshot of what the server holds now (the status, the install and the sky
 * runs under way, the last Check Clouds), and what the log missed is added from it.
 */
import {
  asErrorBody,
  call,
  forgetToken,
  keepToken,
  orThrow,
  takeTokenFromAddress,
  token,
  whenUnauthorized,
} from './api.js';
import { confirm, renderError, showLog } from './dialogs.js';
import { $, button, focusNear } from './dom.js';
import { renderClouds } from './panel-clouds.js';
import {
  clearFieldError,
  fieldOf,
  launchRequest,
  renderLaunch,
  showFieldError,
  syncForm,
  validate,
} from './panel-launch.js';
import { logText, renderAnnouncement, renderLog, watchLog } from './panel-log.js';
import { renderProgress } from './panel-progress.js';
import { renderServers } from './panel-servers.js';
import { renderSettings, settingOf, settingsValues } from './panel-settings.js';
import { renderStatus, uninstallText } from './panel-status.js';
import { progressOf } from './progress.js';
import { autostopText, statusWord } from './sky-text.js';
import { addableClouds, apply, busyOf, cloudsNotSetUp, initialState, nextStep, persisted } from './state.js';
import { openEventStream } from './stream.js';

/** @typedef {import('./state.js').Action} Action */
/** @typedef {import('./state.js').PageEvent} PageEvent */
/** @typedef {import('./state.js').InstallEvent} InstallEvent */
/** @typedef {import('./state.js').Cluster} Cluster */

const STORAGE_KEY = 'carapace.page';

let state = initialState();

/** @type {Map<string, (event: InstallEvent) => void>} */
const installWaiters = new Map();

/**
 * The element that started the action whose error shows, the cloud it was for and its section:
 * focus goes back to it when the error is closed, or near it (focusNear) if it is gone.
 * @type {{element: HTMLElement, cloud: string|null, section: Element|null}|null}
 */
let errorOrigin = null;

/** @param {PageEvent} event */
function dispatch(event) {
  state = apply(state, event);
  render();
  save();
  const last = state.install.at(-1);
  if (last && (last.phase === 'complete' || last.phase === 'error')) installWaiters.get(last.install_id)?.(last);
}

/** @type {import('./panel-servers.js').ServerActions} */
const serverActions = {
  tearDown: (server) => void tearDown(server),
  cancelLaunch: (operation) => void run({ kind: 'cancel-launch', id: operation.id, name: operation.name ?? '' }),
  refresh: () => void refreshServers(true),
  copy: (text) => void copy(text, $('servers-said'), null),
};

function render() {
  const busy = busyOf(state);
  const addable = addableClouds(state);
  const next = nextStep(state);
  const progress = progressOf(state.install, state.info);
  const running = progress && !progress.complete && !progress.failed ? progress : null;
  renderStatus(state.status, state.uninstalled, busy, running?.running, state.info?.clouds ?? [], next === 'install');
  renderProgress(state.install, state.info, state.status?.install_id ?? null, busy.cancelling);
  renderClouds(
    state.check,
    state.status,
    addable,
    state.info?.clouds ?? [],
    busy,
    { addCloud: (cloud) => void run({ kind: 'add-cloud', cloud: cloud.id, name: cloud.name }) },
    next === 'check',
  );
  renderLaunch(
    state.info,
    state.status,
    addable,
    cloudsNotSetUp(state),
    state.preview,
    state.launchSaid,
    busy,
    next === 'launch',
  );
  renderServers(
    state.servers,
    state.operations,
    state.status,
    state.uninstalled,
    busy,
    serverActions,
    state.waiting,
    running?.percent ?? null,
  );
  const settingsError = state.error?.place === 'settings' ? state.error.body : null;
  renderSettings(state.settings, state.settingsSaid, busy.saving, settingsError);
  renderLog(state.log, state.status);
  renderAnnouncement(state.announcement);
  renderError(state.error, settingOf(settingsError, state.settings) !== null);
}

// ---------------------------------------------------------------- persistence across reloads

/**
 * At most one write every 100 ms, each of the state then: an install's events come faster
 * than that, and a save put off at each event would never be made. A reload or a closing
 * tab writes what is still to be written (pagehide), or what came in the last 100 ms --
 * the action just clicked -- would be lost to the reloaded page.
 */
let saveTimer = 0;
function save() {
  if (saveTimer === 0) saveTimer = window.setTimeout(saveNow, 100);
}

function saveNow() {
  clearTimeout(saveTimer);
  saveTimer = 0;
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(persisted(state)));
}

// Only a save under way: before the saved state is restored, there is nothing newer to write.
window.addEventListener('pagehide', () => {
  if (saveTimer !== 0) saveNow();
});

function restore() {
  try {
    dispatch({ type: 'restore', saved: JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') });
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
  }
}

// ---------------------------------------------------------------- the event stream

/** @type {{close(): void}|null} */
let stream = null;

/**
 * Opens the event stream with a snapshot first (what the server holds now). It is opened
 * again for a fresh snapshot when a check this page did not ask for ends: its result is there.
 */
function connect() {
  stream?.close();
  stream = openEventStream('/events', {
    token,
    lastEventId: '',
    onUnauthorized: showLogin,
    onEvent(message) {
      const data = JSON.parse(message.data);
      const id = message.id;
      if (message.type === 'snapshot') {
        dispatch({ type: 'snapshot', snapshot: data, id });
        rejoin(data);
        void refreshServers(false);
      } else if (message.type === 'status') {
        const before = state.status?.state;
        dispatch({ type: 'status', status: data, id });
        if (before !== 'installed' && data.state === 'installed') void refreshServers(false);
      } else if (message.type === 'install') {
        dispatch({ type: 'install', event: data, id });
      } else if (message.type === 'waiting') {
        dispatch({ type: 'waiting', launches: data.launches, id });
      } else if (message.type === 'operation') {
        const mine = state.pending.includes('check') || state.pending.includes('add-cloud');
        dispatch({ type: 'operation', event: data, id });
        if (data.event !== 'end') return;
        if (data.kind === 'launch' || data.kind === 'down') void refreshServers(false);
        else if (data.kind === 'check' && data.ok && !mine) connect();
      }
    },
  });
}

/**
 * After a reload: a Check Clouds this tab was waiting for, still on (its install or its
 * sky check runs), is asked for again, which joins it (one check at a time) and brings
 * its answer here. One that ended meanwhile is in the snapshot.
 * @param {import('./state.js').Snapshot} snapshot
 */
function rejoin(snapshot) {
  if (state.rejoin.length === 0) return;
  const checking = snapshot.operations.some((op) => op.kind === 'check' && op.name === null);
  const waiting = state.rejoin.includes('check') && (checking || snapshot.install !== null);
  dispatch({ type: 'rejoined' });
  if (waiting) void run({ kind: 'check', rejoined: true });
}

// ---------------------------------------------------------------- actions

/**
 * Runs an action; a failure shows in its panel with its message, what to do and, when
 * trying again can help, a Retry.
 * @param {Action} action
 */
async function run(action) {
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  // Read now: the element may be gone from the page by the time the action fails.
  const origin = active && {
    element: active,
    cloud: active.closest('[data-cloud]')?.getAttribute('data-cloud') ?? null,
    section: active.closest('section'),
  };
  // 'Copied "ssh web-1".' is of what the list showed before: the next action makes it old news.
  $('servers-said').textContent = '';
  dispatch({ type: 'started', action });
  try {
    await perform(action);
  } catch (error) {
    errorOrigin = origin;
    const body = asErrorBody(error);
    const field = action.kind === 'launch' ? fieldOf(body) : null;
    if (field) showFieldError(field, `${body.message} ${body.hint}`);
    else dispatch({ type: 'failed', error: body, action });
  } finally {
    dispatch({ type: 'ended', action });
  }
}

/** @param {Action} action */
async function perform(action) {
  switch (action.kind) {
    case 'check': {
      // Joined again after a reload: the log said it when it was asked for.
      if (!action.rejoined) dispatch({ type: 'note', kind: 'note', text: 'Check Clouds' });
      dispatch({ type: 'clouds', check: orThrow(await call('POST', '/clouds/check')) });
      return;
    }
    case 'install':
      dispatch({
        type: 'note',
        kind: 'note',
        text: action.force ? 'Repair the cloud tools' : 'Install the cloud tools',
      });
      await installerRun('/install', { force: action.force });
      return;
    case 'cancel-install': {
      // The install's own end says it was cancelled; only "nothing ran" needs saying.
      const answer = orThrow(await call('POST', '/install/cancel'));
      if (!answer.install_id) dispatch({ type: 'note', kind: 'note', text: answer.message });
      return;
    }
    case 'update':
      // The complete line says which version replaced which; a failure's hint says the old one is still in use.
      dispatch({ type: 'note', kind: 'note', text: 'Update SkyPilot' });
      await installerRun('/update');
      return;
    case 'uninstall':
      dispatch({ type: 'note', kind: 'note', text: 'Uninstall the cloud tools' });
      await installerRun('/uninstall');
      return;
    case 'add-cloud': {
      dispatch({ type: 'note', kind: 'note', text: `Add ${action.name}` });
      const answer = orThrow(await call('POST', `/clouds/${encodeURIComponent(action.cloud)}/enable`));
      dispatch({ type: 'cloud-added', answer, name: action.name });
      return;
    }
    case 'launch': {
      const { name, dryrun } = action.request;
      dispatch({ type: 'note', kind: 'note', text: `${dryrun ? 'Preview' : 'Launch'} ${name}` });
      orThrow(await call('POST', '/servers', action.request));
      return;
    }
    case 'tear-down':
      dispatch({ type: 'note', kind: 'note', text: `Tear down ${action.name}` });
      orThrow(await call('DELETE', `/servers/${encodeURIComponent(action.name)}`));
      return;
    case 'cancel-launch': {
      const answer = orThrow(await call('POST', `/operations/${encodeURIComponent(action.id)}/cancel`));
      dispatch({ type: 'note', kind: 'note', text: answer.message });
      return;
    }
    case 'refresh-servers': {
      const path = action.refresh ? '/servers?refresh=true' : '/servers';
      dispatch({ type: 'servers', answer: orThrow(await call('GET', path)) });
      return;
    }
    case 'save-settings':
      dispatch({
        type: 'settings',
        answer: orThrow(await call('PUT', '/settings', { values: action.values })),
        said: 'Saved. The next install or action uses them.',
      });
      return;
  }
}

/** The end of an installer run (its complete or error line). @param {string} installId @returns {Promise<InstallEvent>} */
function installEnded(installId) {
  const done = state.install.find(
    (event) => event.install_id === installId && (event.phase === 'complete' || event.phase === 'error'),
  );
  if (done) return Promise.resolve(done);
  return new Promise((resolve) => installWaiters.set(installId, resolve));
}

/** Starts an installer run (install, update, uninstall) and waits for its end. @param {string} path @param {unknown} [body] */
async function installerRun(path, body) {
  const started = orThrow(await call('POST', path, body));
  if (!started.install_id) return;
  const end = await installEnded(started.install_id);
  installWaiters.delete(started.install_id);
  if (end.phase === 'error') throw { code: end.code ?? 'internal', message: end.message, hint: end.hint ?? '' };
}

async function uninstall() {
  const sure = await confirm({
    title: 'Uninstall the cloud tools?',
    text: uninstallText(state.servers?.servers ?? []),
    yes: 'Uninstall',
  });
  if (sure) await run({ kind: 'uninstall' });
}

async function repair() {
  const sure = await confirm({
    title: 'Repair the cloud tools?',
    text: 'Carapace installs SkyPilot again (from what it downloaded before, where it can) and restarts SkyPilot’s API server; your servers keep running. Repair when SkyPilot itself fails, for example with an error that says to repair.',
    yes: 'Repair',
    danger: false,
  });
  if (sure) await run({ kind: 'install', force: true });
}

/** @param {Cluster} server */
async function tearDown(server) {
  const whose = server.user ? `${server.user}’s server ` : '';
  const owner = server.user ? ` It was launched by ${server.user}, who loses it too.` : '';
  const sure = await confirm({
    title: `Tear down ${whose}${server.name}?`,
    text: `${server.name} and its disk are deleted; this cannot be undone.${owner}`,
    yes: `Tear down ${server.name}`,
  });
  if (sure) await run({ kind: 'tear-down', name: server.name });
}

async function launch() {
  // Asked again while the last request runs (the button stays focusable meanwhile): one is enough.
  if (busyOf(state).launching) return;
  const invalid = validate();
  if (invalid) {
    invalid.focus();
    return;
  }
  const request = launchRequest();
  const name = String(request.name);
  const existing = request.dryrun ? null : state.servers?.servers.find((server) => server.name === name);
  if (existing) {
    const autostop = /** @type {{idle_minutes: number, down: boolean}|null} */ (request.autostop);
    const idle = autostop ? `${autostop.idle_minutes}m${autostop.down ? ' (down)' : ''}` : '-';
    const sure = await confirm({
      title: `${name} already exists`,
      text: `${name} is ${statusWord(existing.status).toLowerCase()} on ${existing.infra}. Launching again reuses it: SkyPilot starts it if it is stopped and changes what it does when idle to “${autostopText(idle)}”. No new server is made.`,
      yes: `Launch ${name} again`,
      danger: false,
    });
    if (!sure) return;
  }
  await run({ kind: 'launch', request });
}

/** @param {boolean} refresh ask the clouds (sky status --refresh), never on a page load */
async function refreshServers(refresh) {
  if (state.status?.state !== 'installed') return;
  if (refresh) await run({ kind: 'refresh-servers', refresh });
  else {
    const result = await call('GET', '/servers');
    if (result.ok) dispatch({ type: 'servers', answer: result.body });
  }
}

async function loadSettings() {
  const result = await call('GET', '/settings');
  if (result.ok) dispatch({ type: 'settings', answer: result.body, said: '' });
}

function closeError() {
  const place = state.error?.place ?? null;
  dispatch({ type: 'error-closed' });
  const origin = errorOrigin;
  errorOrigin = null;
  if (!origin) {
    // A failure the event stream brought (a launch, a teardown): no click of this page's started it.
    if (place === 'launch') button('launch-button').focus();
    else if (place) focusNear(null, document.getElementById(`${place}-panel`));
    return;
  }
  const { element } = origin;
  if (element.isConnected && !(element instanceof HTMLButtonElement && element.disabled)) element.focus();
  else focusNear(origin.cloud, origin.section);
}

/**
 * Puts text on the clipboard and says so; where the browser does not allow that, selects
 * what shows it (if anything does) for Ctrl+C.
 * @param {string} text @param {HTMLElement} said @param {HTMLElement|null} shown @param {string} [done]
 */
async function copy(text, said, shown, done = `Copied “${text}”.`) {
  try {
    await navigator.clipboard.writeText(text);
    said.textContent = done;
  } catch {
    if (shown) {
      const range = document.createRange();
      range.selectNodeContents(shown);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    }
    said.textContent = shown ? 'Selected: press Ctrl+C (or ⌘C) to copy.' : `Copy it by hand: ${text}`;
  }
}

// ---------------------------------------------------------------- the token

/** Without a token that works, the page is a login card: nothing else on it could work. */
function showLogin() {
  forgetToken();
  $('app').hidden = true;
  $('settings-button').hidden = true;
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
  keepToken(given);
  location.reload();
}

// ---------------------------------------------------------------- start

function wire() {
  const on = (/** @type {string} */ id, /** @type {() => void} */ handler) => $(id).addEventListener('click', handler);
  on('check-button', () => void run({ kind: 'check' }));
  on('install-button', () => {
    if (state.status?.source) void repair();
    else void run({ kind: 'install', force: false });
  });
  on('cancel-install-button', () => void run({ kind: 'cancel-install' }));
  on('update-button', () => void run({ kind: 'update' }));
  on('uninstall-button', () => void uninstall());
  on('refresh-button', () => void refreshServers(true));
  on('retry-button', () => {
    if (state.error?.retry) void run(state.error.retry);
  });
  on('error-close', closeError);
  const showInstallLog = async () => showLog(await call('GET', '/logs/install'));
  on('log-button', () => void showInstallLog());
  on('error-log-button', () => void showInstallLog());
  on('log-empty-button', () => void showInstallLog());
  on(
    'copy-log-button',
    () => void copy(logText(state.log), $('copy-said'), $('log'), `Copied ${state.log.length} lines.`),
  );
  // It opens on what is saved: what was typed and refused last time, and its error, were of that time.
  const openSettings = async () => {
    if (state.error?.place === 'settings') dispatch({ type: 'error-closed' });
    await loadSettings();
    /** @type {HTMLDialogElement} */ ($('settings-dialog')).showModal();
  };
  on('settings-button', openSettings);
  on('error-settings-button', openSettings);
  const form = $('launch-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void launch();
  });
  form.addEventListener('change', syncForm);
  form.addEventListener('input', clearFieldError);
  // A preview, and what the last launch became, are of the form as it was.
  for (const type of ['input', 'change']) form.addEventListener(type, () => dispatch({ type: 'form-changed' }));
  watchLog();
  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run({ kind: 'save-settings', values: settingsValues() });
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && state.error && !document.querySelector('dialog[open]')) closeError();
  });
}

async function start() {
  $('login-form').addEventListener('submit', (event) => void logIn(/** @type {SubmitEvent} */ (event)));
  whenUnauthorized(showLogin);
  takeTokenFromAddress();
  const status = await call('GET', '/status');
  if (!status.ok) return;
  $('login-card').hidden = true;
  $('app').hidden = false;
  button('settings-button').hidden = false;
  restore();
  dispatch({ type: 'status', status: status.body, id: '' });
  const info = /** @type {import('../src/api.js').AppInfo} */ ((await call('GET', '/app-info')).body);
  $('demo-banner').hidden = !info.demo;
  dispatch({ type: 'info', info });
  wire();
  connect();
  void loadSettings();
}

void start();
