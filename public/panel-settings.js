// @ts-check
/** The network settings, in their own dialog: a proxy, mirrors, a company certificate, a team's API server. */
import { $, h, memo } from './dom.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').ErrorBody} ErrorBody */

/**
 * The setting a refused save names (src/settings/settings.ts starts its messages with the label), or null.
 * @param {ErrorBody|null} error @param {State['settings']} answer
 */
export function settingOf(error, answer) {
  if (error?.code !== 'invalid-request' || !answer) return null;
  return answer.settings.find((setting) => error.message.startsWith(setting.label)) ?? null;
}

export const renderSettings = memo(
  /**
   * @param {State['settings']} answer @param {string} said @param {boolean} saving
   * @param {ErrorBody|null} error the failed save's error, shown under the field it names
   */
  (answer, said, saving, error) => {
    if (!answer) return;
    const named = settingOf(error, answer);
    const form = $('settings-form');
    // The values typed and not saved yet stay as they are.
    const typed = Object.fromEntries([...form.querySelectorAll('input')].map((input) => [input.name, input.value]));
    const fields = answer.settings.map((setting) => {
      const id = `setting-${setting.name}`;
      const fromEnvironment = setting.source === 'environment';
      const wrong = named?.name === setting.name;
      return h(
        'div',
        { className: 'field' },
        h('label', { htmlFor: id, textContent: setting.label }),
        h('input', {
          id,
          name: setting.name,
          value: wrong ? (typed[setting.name] ?? setting.value) : setting.value,
          autocomplete: 'off',
          spellcheck: false,
          disabled: fromEnvironment,
          'aria-describedby': `${id}-help ${id}-error`,
          'aria-invalid': wrong ? 'true' : undefined,
        }),
        h('small', {
          id: `${id}-help`,
          textContent: fromEnvironment
            ? `Set by ${setting.name} in Carapace's environment, which wins over this page.`
            : setting.help,
        }),
        h('p', {
          id: `${id}-error`,
          className: 'field-error',
          textContent: wrong && error ? `${error.message} ${error.hint}` : '',
        }),
      );
    });
    form.replaceChildren(
      ...fields,
      h(
        'p',
        { className: 'buttons' },
        h('button', { type: 'submit', textContent: saving ? 'Saving…' : 'Save settings', disabled: saving }),
        h('span', { id: 'settings-said', role: 'status', className: 'muted', textContent: said }),
      ),
    );
    if (named) /** @type {HTMLInputElement} */ ($(`setting-${named.name}`)).focus();
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
