// @ts-check
/** The Servers table: the clusters `sky status` lists, and the launches and teardowns under way. */
import { $, h, memo } from './dom.js';

/** @typedef {import('./state.js').Cluster} Cluster */
/** @typedef {import('./state.js').ServerOperation} ServerOperation */
/** @typedef {{tearDown(name: string): void, cancelLaunch(operation: ServerOperation): void}} ServerActions */

/** @param {string} text @param {boolean} [bad] */
const note = (text, bad = false) => h('span', { className: bad ? 'note bad' : 'note', textContent: text });

/** @param {string} text @param {boolean} [optional] */
const cell = (text, optional = false) => h('td', { textContent: text, className: optional ? 'optional' : '' });

const spinner = () => h('span', { className: 'spinner', 'aria-hidden': 'true' });

/** @param {string} autostop */
export function autostopText(autostop) {
  if (!autostop || autostop === '-') return 'off: runs until torn down';
  return autostop.replace(/^(\d+)m/, 'after $1 min').replace('(down)', '(tear down)');
}

export const renderServers = memo(
  /**
   * @param {Cluster[]} servers @param {Record<string, ServerOperation>} operations @param {boolean} busy
   * @param {ServerActions} actions
   */
  (servers, operations, busy, actions) => {
    const all = Object.values(operations);
    const byName = new Set(servers.map((server) => server.name));
    const rows = servers.map((server) => serverRow(server, all, busy, actions));
    for (const operation of all) {
      if (operation.kind === 'launch' && operation.running && !byName.has(operation.name))
        rows.push(launchingRow(operation, busy, actions));
    }
    $('servers-body').replaceChildren(...rows);
    $('servers-table').hidden = rows.length === 0;
    $('servers-empty').hidden = rows.length > 0;
  },
);

/** @param {Cluster} server @param {ServerOperation[]} operations @param {boolean} busy @param {ServerActions} actions */
function serverRow(server, operations, busy, actions) {
  const operation = operations.find((op) => op.name === server.name);
  const name = h('td', {}, server.name, operation?.failure ? note(operation.failure, true) : null);
  const status = h('td', { className: server.status === 'UP' ? 'status-up' : '' });
  if (operation?.running)
    status.append(spinner(), operation.kind === 'down' ? 'Tearing down…' : `Launching… (${server.status})`);
  else status.append(server.status);
  const buttons = h('td');
  if (operation?.running && operation.kind === 'launch' && operation.requestId)
    buttons.append(cancelButton(operation, busy, actions));
  else buttons.append(tearDownButton(server.name, busy || Boolean(operation?.running), actions));
  return h(
    'tr',
    {},
    name,
    cell(server.infra),
    cell(server.resources, true),
    status,
    cell(autostopText(server.autostop), true),
    buttons,
  );
}

/** @param {ServerOperation} operation @param {boolean} busy @param {ServerActions} actions */
function launchingRow(operation, busy, actions) {
  const status = h('td', {}, spinner(), 'Launching…');
  const buttons = h('td', {}, operation.requestId ? cancelButton(operation, busy, actions) : null);
  return h('tr', {}, cell(operation.name), cell('…'), cell('', true), status, cell('', true), buttons);
}

/** @param {string} name @param {boolean} disabled @param {ServerActions} actions */
function tearDownButton(name, disabled, actions) {
  return h('button', {
    type: 'button',
    className: 'secondary',
    textContent: 'Tear down',
    disabled,
    'aria-label': `Tear down ${name}`,
    onclick: () => actions.tearDown(name),
  });
}

/** @param {ServerOperation} operation @param {boolean} busy @param {ServerActions} actions */
function cancelButton(operation, busy, actions) {
  return h('button', {
    type: 'button',
    className: 'secondary',
    textContent: 'Cancel',
    disabled: busy,
    'aria-label': `Cancel the launch of ${operation.name}`,
    onclick: () => actions.cancelLaunch(operation),
  });
}
