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
/** @typedef {{tearDown(server: Cluster): void, cancelLaunch(operation: Operation): void, refresh(): void}} ServerActions */

/** @param {string} text @param {boolean} [bad] */
const note = (text, bad = false) => h('span', { className: bad ? 'note bad' : 'note', textContent: text });

/** @param {string} label @param {...(Node|string|null)} content */
const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);

const spinner = () => h('span', { className: 'spinner', 'aria-hidden': 'true' });

export const renderServers = memo(
  /**
   * @param {State['servers']} answer @param {State['operations']} operations @param {State['status']} status
   * @param {boolean} uninstalled @param {Busy} busy @param {ServerActions} actions
   */
  (answer, operations, status, uninstalled, busy, actions) => {
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
    const rows = servers.map((server) => serverRow(server, all, owners, busy, actions));
    for (const operation of all) {
      if (operation.kind === 'launch' && operation.running && !operation.preview && !listed.has(operation.name ?? ''))
        rows.push(launchingRow(operation, owners, actions));
    }
    keepFocus(() => $('servers-body').replaceChildren(...rows));
    $('servers-owner').hidden = !owners;
    $('servers-table').hidden = rows.length === 0;
    const empty = $('servers-empty');
    empty.hidden = rows.length > 0;
    empty.className = !installed && uninstalled ? 'warning' : 'muted';
    empty.textContent = installed
      ? 'No servers yet.'
      : uninstalled
        ? 'SkyPilot was removed, so Carapace cannot list servers. Servers launched before keep running, and billing, until they are torn down: install the cloud tools again to see them here and tear them down (or use your cloud’s console).'
        : 'No servers yet: they are listed here once the cloud tools are installed. (Launched some before an uninstall? They keep running, and billing: install the cloud tools to see them.)';
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
 * @param {Cluster} server @param {Operation[]} operations @param {boolean} owners @param {Busy} busy
 * @param {ServerActions} actions
 */
function serverRow(server, operations, owners, busy, actions) {
  const operation = operations.find((op) => op.name === server.name);
  const failed = operation?.failure ?? null;
  const status = cell('Status');
  if (operation?.running) {
    status.append(spinner(), operation.kind === 'down' ? 'Tearing down…' : `Launching… (${statusWord(server.status)})`);
  } else {
    status.append(statusWord(server.status));
    // A server a launch or teardown failed on is no good news, whatever its status; the error says why.
    status.className = failed ? 'status-failed' : server.status === 'UP' ? 'status-up' : '';
    if (failed) status.append(note(operation?.kind === 'down' ? 'Tear-down failed' : 'Launch failed', true));
  }
  const buttons = cell('');
  if (operation?.running && operation.kind === 'launch' && operation.requestId)
    buttons.append(cancelButton(operation, actions));
  else buttons.append(tearDownButton(server, Boolean(operation?.running) || busy.installing, actions));
  return h(
    'tr',
    {},
    cell('Name', server.name),
    owners ? cell('Owner', server.user ?? '') : null,
    cell('Where', server.infra),
    cell('Resources', resourcesText(server.resources)),
    status,
    cell('When idle', autostopText(server.autostop)),
    buttons,
  );
}

/** @param {Operation} operation @param {boolean} owners @param {ServerActions} actions */
function launchingRow(operation, owners, actions) {
  return h(
    'tr',
    {},
    cell('Name', operation.name ?? ''),
    owners ? cell('Owner', '') : null,
    cell('Where', '…'),
    cell('Resources', ''),
    cell('Status', spinner(), 'Launching…'),
    cell('When idle', ''),
    cell('', operation.requestId ? cancelButton(operation, actions) : null),
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
