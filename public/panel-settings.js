// @ts-check
/** The network settings: a proxy, mirrors, a company certificate. */
import { $, h, memo } from './dom.js';

export const renderSettings = memo(
  /** @param {import('./state.js').SettingsAnswer|null} answer @param {string} said @param {boolean} busy */
  (answer, said, busy) => {
    if (!answer) return;
    const fields = answer.settings.map((setting) => {
      const id = `setting-${setting.name}`;
      const fromEnvironment = setting.source === 'environment';
      return h(
        'div',
        { className: 'field' },
        h('label', { htmlFor: id, textContent: setting.label }),
        h('input', {
          id,
          name: setting.name,
          value: setting.value,
          autocomplete: 'off',
          spellcheck: false,
          disabled: fromEnvironment,
          'aria-describedby': `${id}-help`,
        }),
        h('small', {
          id: `${id}-help`,
          textContent: fromEnvironment
            ? `Set by ${setting.name} in Carapace's environment, which wins over this page.`
            : setting.help,
        }),
      );
    });
    $('settings-form').replaceChildren(
      ...fields,
      h('button', { type: 'submit', textContent: 'Save settings', disabled: busy }),
      h('p', { id: 'settings-said', role: 'status', className: 'muted', textContent: said }),
    );
  },
);

/** The values to save: every setting the page may change. */
export function settingsValues() {
  /** @type {Record<string, string>} */
  const values = {};
  for (const input of $('settings-form').querySelectorAll('input'))
    if (!input.disabled) values[input.name] = input.value.trim();
  return values;
}
