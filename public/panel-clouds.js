// @ts-check
/** The Clouds list: what `sky check` found, with an Add button where Carapace can install a cloud's libraries. */
import { $, h, memo } from './dom.js';

/** @typedef {{addCloud(name: string, extra: string): void}} CloudActions */

/** @param {string} text */
const reason = (text) => h('span', { className: 'reason', textContent: text });

export const renderClouds = memo(
  /** @param {import('./state.js').CloudCheckAnswer|null} check @param {boolean} busy @param {CloudActions} actions */
  (check, busy, actions) => {
    if (!check) return;
    const items = [];
    for (const cloud of check.enabled) {
      items.push(
        h(
          'li',
          {},
          `${cloud.name}: `,
          h('span', { className: 'enabled', textContent: 'enabled' }),
          cloud.capabilities.length ? ` (${cloud.capabilities.join(', ')})` : '',
        ),
      );
    }
    for (const cloud of check.disabled) {
      const item = h(
        'li',
        { 'data-cloud': cloud.name },
        `${cloud.name}: `,
        h('span', { className: 'disabled', textContent: 'disabled' }),
      );
      for (const why of cloud.reasons)
        item.append(reason(why.capabilities.length ? `${why.capabilities.join(', ')}: ${why.text}` : why.text));
      const extra = cloud.missing_extra;
      if (extra) {
        item.append(
          h('button', {
            type: 'button',
            className: 'secondary',
            textContent: `Add ${cloud.name}`,
            disabled: busy,
            onclick: () => actions.addCloud(cloud.name, extra),
          }),
        );
      }
      items.push(item);
    }
    for (const workspace of check.workspaces.length > 1 ? check.workspaces : []) {
      const names = workspace.enabled.map((cloud) => cloud.name).join(', ') || 'nothing enabled';
      items.push(h('li', { textContent: `Workspace ${workspace.workspace}: ${names}` }));
    }
    $('clouds-list').replaceChildren(...items);
    $('clouds-panel').hidden = false;
  },
);
