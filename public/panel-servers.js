// @ts-check
/**
 * The Servers panel: the clusters `sky status` lists (whose each is, with a team's
 * API server), when the list was read and a Refresh that asks the clouds, the launches
 * and teardowns under way, and what a failed one left. Below 40rem each row is a card.
 */
import { $, button, h, memo } from './dom.js';
import { autostopText, resourcesText, statusWord } from './sky-text.js';
import { clock } from './text.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').Cluster} Cluster */
/** @typedef {import('./state.js').Operation} Operation */
/** @typedef {ReturnType<import('./state.js').busyOf>} Busy */
/**
 * @typedef {{tearDown(server: Cluster): void, cancelLaunch(operation: Operation): void, refresh(): void,
 *   copy(text: string): void}} ServerActions
 */

/** @param {string} text @param {boolean} [bad] */
const note = (text, bad = false) => h('span', { className: bad ? 'note bad' : 'note', textContent: text });

/**
 * A cell, its content in one element (a card lays out its label and that element side by side);
 * an empty cell stays empty, so that a card leaves its row out.
 * @param {string} label @param {...(Node|string|null)} content
 */
const cell = (label, ...content) =>
  h('td', { 'data-label': label }, content.some((part) => part) ? h('div', { className: 'value' }, ...content) : null);

const spinner = () => h('span', { className: 'spinner', 'aria-hidden': 'true' });

export const renderServers = memo(
  /**
   * @param {State['servers']} answer @param {State['operations']} operations @param {State['status']} status
   * @param {boolean} uninstalled @param {Busy} busy @param {ServerActions} actions
   * @param {string[]} waiting the launches waiting for the cloud tools @param {number|null} percent how far their install is
   */
  (answer, operations, status, uninstalled, busy, actions, waiting, percent) => {
    const installed = status?.state === 'installed';
    const servers = answer?.servers ?? [];
    const all = Object.values(operations).filter((op) => op.kind === 'launch' || op.kind === 'down');
    const owners = answer?.all_users ?? false;

    const read = $('servers-read');
    read.textContent = answer?.read_at
      ? `Listed at ${clock(answer.read_at)}, ${answer.refreshed ? 'as the clouds reported' : 'from SkyPilot’s records'}`
      : '';
    const refresh = button('refresh-button');
    refresh.hidden = !installed;
    refresh.disabled = busy.refreshing;
    refresh.textContent = busy.refreshing ? 'Refreshing…' : 'Refresh';
    refresh.setAttribute('aria-label', 'Refresh: ask the clouds for each server’s status');

    const listed = new Set(servers.map((server) => server.name));
    const team = status?.api_server.team ?? false;
    const rows = servers.map((server) => serverRow(server, all, owners, team, busy, actions));
    for (const operation of all) {
      if (operation.kind === 'launch' && operation.running && !operation.preview && !listed.has(operation.name ?? '')) {
        listed.add(operation.name ?? '');
        rows.push(launchingRow(operation.name ?? '', owners, 'Launching…', operation, actions));
      }
    }
    for (const name of waiting) {
      if (listed.has(name)) continue;
      listed.add(name);
      const how = percent === null ? '' : ` (${percent}%)`;
      rows.push(launchingRow(name, owners, `Waiting for the cloud tools${how}`, null, actions));
    }
    keepFocus(() => $('servers-body').replaceChildren(...rows));
    $('servers-owner').hidden = !owners;
    $('servers-table').hidden = rows.length === 0;
    const empty = $('servers-empty');
    empty.hidden = rows.length > 0;
    empty.className = !installed && uninstalled ? 'warning' : 'muted';
    empty.textContent =
      !installed && uninstalled
        ? 'SkyPilot was removed, so Carapace cannot list servers. Servers launched before keep running, and billing, until they are torn down: install the cloud tools again to see them here and tear them down (or use your cloud’s console).'
        : 'No servers yet.';
  },
);

/**
 * Redraws the rows; focus in a row stays on the same button when the row is still there,
 * else moves to the row that took its place (or the one before, or the panel's title).
 * @param {() => void} redraw
 */
function keepFocus(redraw) {
  const body = $('servers-body');
  const focused = document.activeElement;
  const row = focused instanceof HTMLElement && body.contains(focused) ? focused.closest('tr') : null;
  const index = row ? [...body.children].indexOf(row) : -1;
  const label = focused?.getAttribute('aria-label') ?? '';
  redraw();
  if (!row) return;
  const same = [...body.querySelectorAll('button')].find(
    (each) => each.getAttribute('aria-label') === label && !each.disabled,
  );
  const next =
    same ?? body.children[index]?.querySelector('button') ?? body.children[index - 1]?.querySelector('button');
  (next ?? $('servers-title')).focus();
}

/**
 * How to reach a running server: SkyPilot's launch adds it to ~/.ssh/config on this computer
 * (sky/utils/cluster_utils.py), so `ssh NAME` works; with a team's server it is added where
 * that server runs, so nothing is said.
 * @param {string} name @param {ServerActions} actions
 */
function sshLine(name, actions) {
  const command = `ssh ${name}`;
  return h(
    'span',
    { className: 'note ssh' },
    'Connect: ',
    h('code', { textContent: command }),
    ' ',
    h('button', {
      type: 'button',
      className: 'secondary small',
      textContent: 'Copy',
      'aria-label': `Copy “${command}”`,
      onclick: () => actions.copy(command),
    }),
  );
}

/**
 * @param {Cluster} server @param {Operation[]} operations @param {boolean} owners @param {boolean} team
 * @param {Busy} busy @param {ServerActions} actions
 */
function serverRow(server, operations, owners, team, busy, actions) {
  const operation = operations.find((op) => op.name === server.name);
  const failed = operation?.failure ?? null;
  const stopped = server.status === 'STOPPED';
  /** @type {(Node|string)[]} */
  let status;
  let statusClass = '';
  if (operation?.running) {
    status = [spinner(), operation.kind === 'down' ? 'Tearing down…' : `Launching… (${statusWord(server.status)})`];
  } else {
    status = [statusWord(server.status)];
    // A server a launch or teardown failed on is no good news, whatever its status; the error says why.
    statusClass = failed ? 'status-failed' : server.status === 'UP' ? 'status-up' : '';
    if (failed) status.push(note(operation?.kind === 'down' ? 'Tear-down failed' : 'Launch failed', true));
  }
  const statusCell = cell('Status', ...status);
  statusCell.className = statusClass;
  const buttons = cell('');
  if (operation?.running && operation.kind === 'launch' && operation.requestId)
    buttons.replaceChildren(cancelButton(operation, actions));
  else buttons.replaceChildren(tearDownButton(server, Boolean(operation?.running) || busy.installing, actions));
  const reachable = server.status === 'UP' && !operation?.running && !team;
  return h(
    'tr',
    {},
    cell(
      'Name',
      h('span', { className: 'name', textContent: server.name }),
      reachable ? sshLine(server.name, actions) : null,
    ),
    owners ? cell('Owner', server.user ?? '') : null,
    cell('Where', server.infra),
    cell('Resources', resourcesText(server.resources)),
    statusCell,
    // Autostop has nothing left to do on a stopped server: what is true of it is said instead.
    cell(
      'When idle',
      stopped
        ? 'Stopped: its disk is kept, and billed, until it is torn down. Launch it again with this name to start it.'
        : autostopText(server.autostop),
    ),
    buttons,
  );
}

/**
 * A server not listed by SkyPilot yet: launching, or waiting for the cloud tools.
 * @param {string} name @param {boolean} owners @param {string} status @param {Operation|null} operation
 * @param {ServerActions} actions
 */
function launchingRow(name, owners, status, operation, actions) {
  return h(
    'tr',
    {},
    cell('Name', h('span', { className: 'name', textContent: name })),
    owners ? cell('Owner', '') : null,
    cell('Where', ''),
    cell('Resources', ''),
    cell('Status', spinner(), status),
    cell('When idle', ''),
    cell('', operation?.requestId ? cancelButton(operation, actions) : null),
  );
}

/**
 * Unavailable while something runs on the server, but still focusable (aria-disabled), so
 * that focus stays in its row while it is torn down.
 * @param {Cluster} server @param {boolean} unavailable @param {ServerActions} actions
 */
function tearDownButton(server, unavailable, actions) {
  return h('button', {
    type: 'button',
    className: 'secondary',
    textContent: 'Tear down',
    'aria-disabled': unavailable ? 'true' : undefined,
    'aria-label': `Tear down ${server.name}`,
    onclick: () => {
      if (!unavailable) actions.tearDown(server);
    },
  });
}

/** @param {Operation} operation @param {ServerActions} actions */
function cancelButton(operation, actions) {
  return h('button', {
    type: 'button',
    className: 'secondary',
    textContent: 'Cancel',
    'aria-label': `Cancel the launch of ${operation.name}`,
    onclick: () => actions.cancelLaunch(operation),
  });
}
