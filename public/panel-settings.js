// @ts-check
/** The network settings, in their own dialog: a proxy, mirrors, a company certificate, a team's API server. */
import { $, h, memo } from './dom.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').ErrorBody} ErrorBody */

/** The hint the server gives a request it refuses when it has nothing more specific to say (src/errors.ts). */
const GENERIC_HINT = 'Fix the request and send it again.';

/**
 * The setting a refused save names (src/settings/settings.ts starts its messages with the label), or null.
 * @param {ErrorBody|null} error @param {State['settings']} answer
 */
export function settingOf(error, answer) {
  if (error?.code !== 'invalid-request' || !answer) return null;
  return answer.settings.find((setting) => error.message.startsWith(setting.label)) ?? null;
}

/** The answer the fields were last filled from: until another comes, what is typed in them stays. */
let filledFrom = /** @type {State['settings']} */ (null);

export const renderSettings = memo(
  /**
   * @param {State['settings']} answer @param {string} said @param {boolean} saving
   * @param {ErrorBody|null} error the failed save's error, shown under the field it names
   */
  (answer, said, saving, error) => {
    if (!answer) return;
    const named = settingOf(error, answer);
    const form = $('settings-form');
    // What is typed and not saved yet stays while a save runs and when it is refused; a new answer
    // (the settings saved, or read again) fills the fields anew.
    const typed =
      answer === filledFrom
        ? Object.fromEntries([...form.querySelectorAll('input')].map((input) => [input.name, input.value]))
        : {};
    filledFrom = answer;
    const problem = answer.problem
      ? h(
          'div',
          { className: 'warning', role: 'note', id: 'settings-problem' },
          h('p', { textContent: `${answer.problem.message} None of its values is used.` }),
          h('p', {
            textContent: 'Save settings writes the file anew with the values below (empty ones are left out).',
          }),
        )
      : null;
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
          value: typed[setting.name] ?? setting.value,
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
        h(
          'div',
          { id: `${id}-error`, className: 'field-error' },
          ...(wrong && error
            ? [
                h('p', { textContent: error.message }),
                h('p', {
                  className: 'field-hint',
                  textContent: error.hint === GENERIC_HINT ? 'Correct it, then save again.' : error.hint,
                }),
              ]
            : []),
        ),
      );
    });
    form.replaceChildren(
      ...(problem ? [problem] : []),
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
