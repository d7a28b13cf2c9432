// @ts-check
/** The "Cloud tools" panel: what is installed, where, which API server sky uses, and the buttons that change it. */
import { $, button, h, memo } from './dom.js';

/** @typedef {import('./state.js').Status} Status */
/** @typedef {ReturnType<import('./state.js').busyOf>} Busy */

/**
 * What the first install downloads, in MB: uv's archive, a Python and SkyPilot's packages as
 * the real programs are (REAL_SIZES in test/mirror/artifacts.ts, which the demo serves and
 * names too; test/unit/page-state.test.ts holds this figure to them).
 */
export const FIRST_INSTALL_MB = 140;
const FIRST_INSTALL = `The first install downloads about ${FIRST_INSTALL_MB} MB (uv, Python and SkyPilot); usually 1–5 minutes.`;

/** @type {Record<import('../src/api.js').ApiServerStatus['source'], string>} */
const ADDRESS_FROM = {
  environment: 'from SKYPILOT_API_SERVER_ENDPOINT in Carapace’s environment',
  settings: 'from Network settings',
  config: 'from ~/.sky/config.yaml (sky api login)',
  default: 'the default',
};

/**
 * The status in one sentence.
 * @param {Status} status @param {boolean} uninstalled this page saw SkyPilot removed
 * @param {string} [running] what this server's installer run does ("Adding GCP"), when one runs
 */
export function statusText(status, uninstalled, running = 'Installing the cloud tools') {
  if (status.state === 'installed' && status.source === 'path')
    return 'SkyPilot is ready: installed outside Carapace (found on PATH).';
  if (status.state === 'installed') return 'SkyPilot is ready, installed by Carapace.';
  if (status.state === 'installing')
    return status.install_id
      ? `${running}…`
      : 'Cloud tools are being installed by another program (e.g. a terminal); actions will wait for it.';
  if (status.state === 'error' && status.last_error?.code === 'interrupted')
    return 'The installation was cancelled; nothing half-installed was kept. Install when you are ready.';
  if (status.state === 'error') return 'The last installation failed. Try again, or see its log.';
  if (uninstalled)
    return 'SkyPilot is not installed: the cloud tools were removed. Install them again to launch or list servers.';
  return 'SkyPilot is not installed yet. It installs itself when you check clouds or launch a server.';
}

/** The API server every sky run uses, and where its address comes from. @param {Status['api_server']} server */
export function apiServerText(server) {
  const from = ADDRESS_FROM[server.source] ?? server.source;
  if (server.team) return `your team’s, at ${server.endpoint} (${from})`;
  return `SkyPilot’s local one at ${server.endpoint}, ${server.running ? 'running' : 'started by the first action'} (${from})`;
}

/**
 * A note under the status: what an install downloads, or a restart to come.
 * @param {Status} status @param {boolean} uninstalled
 */
export function statusNote(status, uninstalled) {
  if (status.state === 'not_installed' || status.state === 'error')
    return uninstalled ? FIRST_INSTALL.replace('The first install', 'Installing again') : FIRST_INSTALL;
  if (status.api_server.restart_pending && !status.api_server.team)
    return 'The local API server restarts with the new network settings before the next action.';
  return '';
}

/**
 * Whether Uninstall… is offered: only while Carapace's SkyPilot is there. After a first install
 * that failed nothing usable is installed, and the next install starts afresh anyway.
 * @param {Status} status
 */
export function offersUninstall(status) {
  return status.source === 'managed';
}

/** @param {string[]} names */
const listed = (names) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');

/**
 * What the Uninstall dialog says of the servers it leaves behind, by name, one or many.
 * @param {{name: string, status: string}[]} servers
 */
export function uninstallText(servers) {
  const running = servers.filter((server) => server.status !== 'STOPPED').map((server) => server.name);
  const stopped = servers.filter((server) => server.status === 'STOPPED').map((server) => server.name);
  const said = [
    running.length ? `${listed(running)} ${running.length > 1 ? 'keep' : 'keeps'} running, and billing.` : '',
    stopped.length
      ? `${listed(stopped)} ${stopped.length > 1 ? 'keep their disks' : 'keeps its disk'}, which ${stopped.length > 1 ? 'are' : 'is'} billed.`
      : '',
  ].filter(Boolean);
  const them = servers.length > 1 ? 'them' : 'it';
  return `SkyPilot, uv and the managed Python are removed from Carapace’s folder. ${
    said.length
      ? `${said.join(' ')} Tear ${them} down first, or install again later to see ${them} here.`
      : 'Servers launched with them keep running, and billing: tear them down first, or install again later to see them.'
  }`;
}

/** @param {string} term @param {string} value */
const detail = (term, value) => [h('dt', { textContent: term }), h('dd', { textContent: value })];

export const renderStatus = memo(
  /**
   * @param {Status|null} status @param {boolean} uninstalled @param {Busy} busy
   * @param {string|undefined} running what the installer run under way does ("Adding GCP")
   * @param {import('../src/api.js').CloudInfo[]} clouds the clouds Carapace knows, for their names
   * @param {boolean} primary the install is the next step (its button the page's primary one)
   */
  (status, uninstalled, busy, running, clouds, primary) => {
    if (!status) return;
    $('status-text').textContent = statusText(status, uninstalled, running);
    const note = statusNote(status, uninstalled);
    $('status-note').textContent = note;
    $('status-note').hidden = !note;
    const details = [];
    if (status.sky_version) details.push(...detail('SkyPilot', status.sky_version));
    if (status.uv_version) details.push(...detail('uv', status.uv_version));
    const named = (/** @type {string} */ id) => clouds.find((cloud) => cloud.id === id)?.name ?? id;
    if (status.extras) details.push(...detail('Clouds installed', status.extras.map(named).join(', ') || 'none'));
    if (status.sky_path) details.push(...detail('Location', status.sky_path));
    details.push(...detail('API server', apiServerText(status.api_server)));
    details.push(...detail('Folder', status.carapace_home));
    $('status-details').replaceChildren(...details);
    // SkyPilot is there (managed or on PATH) while a repair, an update or a cloud added changes
    // it: the buttons stay what they are while it runs.
    const present = status.source !== null;
    const managed = status.source === 'managed';
    const install = button('install-button');
    install.textContent = present ? 'Repair…' : 'Install cloud tools';
    install.className = primary ? '' : 'secondary';
    install.disabled = busy.installing;
    install.setAttribute('aria-busy', String(busy.installing));
    button('update-button').hidden = !managed;
    button('uninstall-button').hidden = !offersUninstall(status);
    // An update or uninstall stops SkyPilot's API server, and every request in it: not while sky works.
    button('update-button').disabled = busy.installing || busy.skyRunning;
    button('uninstall-button').disabled = busy.installing || busy.skyRunning;
  },
);
