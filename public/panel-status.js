// @ts-check
/** The "Cloud tools" panel: what is installed, where, and the buttons that change it. */
import { $, button, h, memo } from './dom.js';

/** @typedef {import('./state.js').Status} Status */

/** @param {string} term @param {string} value */
function detail(term, value) {
  return [h('dt', { textContent: term }), h('dd', { textContent: value })];
}

/** @param {Status} status */
function statusText(status) {
  if (status.state === 'installed' && status.source === 'path')
    return 'SkyPilot is ready: installed outside Carapace (found on PATH).';
  if (status.state === 'installed') return 'SkyPilot is ready, installed by Carapace.';
  if (status.state === 'installing')
    return status.install_id
      ? 'Installing cloud tools…'
      : 'Cloud tools are being installed by another program (e.g. a terminal); actions will wait for it.';
  if (status.state === 'error') return 'The last installation failed. Retry, or use Install / Repair.';
  return 'SkyPilot is not installed yet. It installs itself when you check clouds or launch a server.';
}

export const renderStatus = memo(
  /** @param {Status|null} status @param {boolean} busy */
  (status, busy) => {
    if (!status) return;
    $('status-text').textContent = statusText(status);
    const details = [];
    if (status.sky_version) details.push(...detail('SkyPilot', status.sky_version));
    if (status.uv_version) details.push(...detail('uv', status.uv_version));
    if (status.extras) details.push(...detail('Clouds installed', status.extras.join(', ') || 'none'));
    if (status.sky_path) details.push(...detail('Location', status.sky_path));
    const server = status.api_server;
    if (server.team) details.push(...detail('API server', `your team’s, at ${server.endpoint}`));
    else if (server.running)
      details.push(...detail('API server', `SkyPilot’s local one, running at ${server.endpoint}`));
    details.push(...detail('Folder', status.carapace_home));
    $('status-details').replaceChildren(...details);
    const managed = status.state === 'installed' && status.source === 'managed';
    $('install-button').textContent = status.state === 'installed' ? 'Repair' : 'Install / Repair';
    $('update-button').hidden = !managed;
    $('uninstall-button').hidden = !(managed || status.state === 'error');
    for (const id of ['install-button', 'update-button', 'uninstall-button']) button(id).disabled = busy;
    if (status.state === 'installing') $('progress-panel').hidden = false;
  },
);
