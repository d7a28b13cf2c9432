// @ts-check
/**
 * The Carapace page: the cloud tools' status, Check Clouds, Launch Server, the
 * servers, the network settings, and the live install and action output from the
 * event stream (GET /events).
 *
 * Every change goes through `apply` (state.js) as an event; the panels draw the
 * state. A reload keeps the activity log and the last event id in sessionStorage
 * and resumes the stream from that id, so the events missed meanwhile are replayed.
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
import { $ } from './dom.js';
import { renderClouds } from './panel-clouds.js';
import { launchRequest, renderLaunch } from './panel-launch.js';
import { renderLog } from './panel-log.js';
import { renderProgress } from './panel-progress.js';
import { renderServers } from './panel-servers.js';
import { renderSettings, settingsValues } from './panel-settings.js';
import { renderStatus } from './panel-status.js';
import { apply, initialState, persisted } from './state.js';
import { openEventStream } from './stream.js';

/** @typedef {import('./state.js').Action} Action */
/** @typedef {import('./state.js').PageEvent} PageEvent */
/** @typedef {import('./state.js').TimedInstallEvent} InstallEvent */

const STORAGE_KEY = 'carapace.page';

let state = initialState();

/** @type {Map<string, (event: InstallEvent) => void>} */
const installWaiters = new Map();

/** @param {PageEvent} event */
function dispatch(event) {
  state = apply(state, event);
  render();
  save();
  const last = state.install.at(-1);
  if (last && (last.phase === 'complete' || last.phase === 'error')) installWaiters.get(last.install_id)?.(last);
}

function render() {
  const busy = state.busy.length > 0;
  renderStatus(state.status, busy);
  renderProgress(state.install, busy);
  renderLaunch(state.info, state.status, busy);
  renderClouds(state.check, busy, { addCloud: (name, cloud) => void run({ kind: 'add-cloud', cloud, name }) });
  renderServers(state.servers, state.operations, busy, {
    tearDown: (name) => void tearDown(name),
    cancelLaunch: (operation) => void run({ kind: 'cancel-launch', id: operation.id, name: operation.name }),
  });
  renderSettings(state.settings, state.settingsSaid, busy);
  renderLog(state.log);
  renderError(state.error);
}

// ---------------------------------------------------------------- persistence across reloads

let saveTimer = 0;
function save() {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => sessionStorage.setItem(STORAGE_KEY, JSON.stringify(persisted(state))), 100);
}

function restore() {
  try {
    dispatch({ type: 'restore', saved: JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') });
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
  }
}

// ---------------------------------------------------------------- the event stream

function connect() {
  openEventStream('/events', {
    token,
    lastEventId: state.lastEventId,
    onUnauthorized: showLogin,
    onEvent(message) {
      const data = JSON.parse(message.data);
      const id = message.id;
      if (message.type === 'snapshot') {
        dispatch({ type: 'snapshot', snapshot: data, id });
        void refreshServers();
      } else if (message.type === 'status') {
        const before = state.status?.state;
        dispatch({ type: 'status', status: data, id });
        if (before !== 'installed' && data.state === 'installed') void refreshServers();
      } else if (message.type === 'install') {
        dispatch({ type: 'install', event: data, id });
      } else if (message.type === 'operation') {
        dispatch({ type: 'operation', event: data, id });
        if (data.event === 'end' && (data.kind === 'launch' || data.kind === 'down')) void refreshServers();
      }
    },
  });
}

// ---------------------------------------------------------------- actions

/**
 * Runs an action with the buttons disabled; a failure shows its message, hint and a Retry.
 * @param {Action} action
 */
async function run(action) {
  dispatch({ type: 'started', action });
  try {
    await perform(action);
  } catch (error) {
    dispatch({ type: 'failed', error: asErrorBody(error), retry: action });
  } finally {
    dispatch({ type: 'ended', action });
  }
}

/** @param {Action} action */
async function perform(action) {
  switch (action.kind) {
    case 'check':
      dispatch({ type: 'note', kind: 'note', text: 'Check Clouds' });
      dispatch({ type: 'clouds', check: orThrow(await call('POST', '/clouds/check')) });
      return;
    case 'install':
      dispatch({ type: 'note', kind: 'note', text: action.force ? 'Repair cloud tools' : 'Install cloud tools' });
      await installerRun('/install', { force: action.force });
      return;
    case 'update':
      // The complete line says which version replaced which; a failure's hint says the old one is still in use.
      dispatch({ type: 'note', kind: 'note', text: 'Update SkyPilot' });
      await installerRun('/update');
      return;
    case 'uninstall':
      dispatch({ type: 'note', kind: 'note', text: 'Uninstall cloud tools' });
      await installerRun('/uninstall');
      dispatch({
        type: 'servers',
        answer: { installed: false, servers: [], all_users: false, read_at: null, refreshed: false },
      });
      return;
    case 'add-cloud': {
      dispatch({ type: 'note', kind: 'note', text: `Add ${action.name}` });
      /** @type {import('../src/api.js').CloudEnableAnswer} */
      const answer = orThrow(await call('POST', `/clouds/${encodeURIComponent(action.cloud)}/enable`));
      dispatch({ type: 'clouds', check: answer.check });
      dispatch({
        type: 'note',
        kind: answer.enabled ? 'good' : 'note',
        text: answer.enabled
          ? `${action.name} is installed and enabled.`
          : `${action.name}'s libraries are installed; ${action.name} still needs its credentials (see the Clouds list).`,
      });
      return;
    }
    case 'launch': {
      const { name, dryrun } = action.request;
      dispatch({ type: 'note', kind: 'note', text: `Launch Server ${name}${dryrun ? ' (preview)' : ''}` });
      orThrow(await call('POST', '/servers', action.request));
      return;
    }
    case 'tear-down':
      dispatch({ type: 'note', kind: 'note', text: `Tear down ${action.name}` });
      dispatch({ type: 'forget-failures', name: action.name });
      orThrow(await call('DELETE', `/servers/${encodeURIComponent(action.name)}`));
      return;
    case 'cancel-launch': {
      const answer = orThrow(await call('POST', `/operations/${encodeURIComponent(action.id)}/cancel`));
      dispatch({ type: 'note', kind: 'note', text: answer.message });
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
  const sure = await confirm(
    'Uninstall the cloud tools? SkyPilot, uv and the managed Python are removed from Carapace’s folder. Your servers keep running; install again to manage them.',
  );
  if (sure) await run({ kind: 'uninstall' });
}

/** @param {string} name */
async function tearDown(name) {
  if (await confirm(`Tear down ${name}? The server and its disk are deleted; this cannot be undone.`))
    await run({ kind: 'tear-down', name });
}

async function refreshServers() {
  if (state.status?.state !== 'installed') return;
  const result = await call('GET', '/servers');
  if (result.ok) dispatch({ type: 'servers', answer: result.body });
}

async function loadSettings() {
  const result = await call('GET', '/settings');
  if (result.ok) dispatch({ type: 'settings', answer: result.body, said: '' });
}

// ---------------------------------------------------------------- the token

/** Without a token that works, the page is a login card: nothing else on it could work. */
function showLogin() {
  forgetToken();
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
  keepToken(given);
  location.reload();
}

// ---------------------------------------------------------------- start

async function start() {
  $('login-form').addEventListener('submit', (event) => void logIn(/** @type {SubmitEvent} */ (event)));
  whenUnauthorized(showLogin);
  takeTokenFromAddress();
  const status = await call('GET', '/status');
  if (!status.ok) return;
  $('login-card').hidden = true;
  $('app').hidden = false;
  restore();
  dispatch({ type: 'status', status: status.body, id: '' });
  const info = /** @type {import('../src/api.js').AppInfo} */ ((await call('GET', '/app-info')).body);
  $('demo-banner').hidden = !info.demo;
  dispatch({ type: 'info', info });
  $('check-button').addEventListener('click', () => void run({ kind: 'check' }));
  $('install-button').addEventListener(
    'click',
    () => void run({ kind: 'install', force: state.status?.state === 'installed' }),
  );
  $('update-button').addEventListener('click', () => void run({ kind: 'update' }));
  $('uninstall-button').addEventListener('click', () => void uninstall());
  $('retry-button').addEventListener('click', () => {
    if (state.error?.retry) void run(state.error.retry);
  });
  $('error-close').addEventListener('click', () => dispatch({ type: 'error-closed' }));
  const showInstallLog = async () => showLog(await call('GET', '/logs/install'));
  $('log-button').addEventListener('click', () => void showInstallLog());
  $('error-log-button').addEventListener('click', () => void showInstallLog());
  $('launch-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run({ kind: 'launch', request: launchRequest(/** @type {HTMLFormElement} */ (event.target)) });
  });
  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run({ kind: 'save-settings', values: settingsValues() });
  });
  connect();
  void loadSettings();
}

void start();
