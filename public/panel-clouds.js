// @ts-check
/**
 * The Clouds panel: Check Clouds, and what it found -- every cloud of the last check,
 * in one list by name, a cloud added since updated in place -- with an Add button for
 * each cloud whose libraries Carapace can add, and a line for those it cannot.
 */
import { $, button, h, memo } from './dom.js';
import { clock } from './text.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {ReturnType<import('./state.js').busyOf>} Busy */
/** @typedef {import('../src/api.js').CloudInfo} CloudInfo */
/** @typedef {{addCloud(cloud: CloudInfo): void}} CloudActions */

/** @param {string} text */
const reason = (text) => h('span', { className: 'reason', textContent: text });

export const renderClouds = memo(
  /**
   * @param {State['check']} check @param {State['status']} status @param {CloudInfo[]} addable
   * @param {Busy} busy @param {CloudActions} actions
   */
  (check, status, addable, busy, actions) => {
    const team = status?.api_server.team ?? false;
    const installed = status?.state === 'installed';
    $('clouds-intro').textContent = team
      ? 'Your team’s API server decides which clouds can be used: its admin enables them.'
      : installed
        ? 'Which clouds SkyPilot can launch on with the credentials on this computer.'
        : 'Which clouds SkyPilot can launch on with the credentials on this computer. Check Clouds installs the cloud tools first.';
    const checkButton = button('check-button');
    checkButton.textContent = busy.checking ? 'Checking…' : 'Check Clouds';
    checkButton.setAttribute('aria-busy', String(busy.checking));
    checkButton.disabled = busy.checking || busy.adding;
    $('clouds-checked').textContent = check?.checked_at ? `Last checked at ${clock(check.checked_at)}` : '';

    /** @param {string} name */
    const addableNamed = (name) => addable.find((cloud) => cloud.name === name);
    /** @param {CloudInfo} cloud */
    const addButton = (cloud) =>
      h('button', {
        type: 'button',
        className: 'secondary',
        textContent: `Add ${cloud.name}`,
        disabled: busy.installing || busy.adding || busy.checking,
        onclick: () => actions.addCloud(cloud),
      });

    /** @type {{name: string, item: HTMLLIElement}[]} */
    const entries = [];
    for (const cloud of check?.enabled ?? []) {
      const capabilities = cloud.capabilities.length ? ` (${cloud.capabilities.join(', ')})` : '';
      entries.push({
        name: cloud.name,
        item: h('li', {}, `${cloud.name}: `, h('span', { className: 'enabled', textContent: 'enabled' }), capabilities),
      });
    }
    for (const cloud of check?.disabled ?? []) {
      const item = h('li', {}, `${cloud.name}: `, h('span', { className: 'disabled', textContent: 'disabled' }));
      for (const why of cloud.reasons)
        item.append(reason(why.capabilities.length ? `${why.capabilities.join(', ')}: ${why.text}` : why.text));
      const add = addableNamed(cloud.name);
      if (add) item.append(addButton(add));
      entries.push({ name: cloud.name, item });
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    $('clouds-list').replaceChildren(...entries.map(({ item }) => item));

    // The clouds the launch form says to add first and the check did not list.
    const listed = new Set(entries.map(({ name }) => name));
    const more = addable.filter((cloud) => !listed.has(cloud.name));
    $('clouds-more').replaceChildren(
      ...(more.length
        ? [
            h('p', { id: 'clouds-more-title', textContent: 'Carapace can add these clouds’ libraries:' }),
            h('p', { className: 'buttons', 'aria-labelledby': 'clouds-more-title' }, ...more.map(addButton)),
          ]
        : []),
    );
  },
);
