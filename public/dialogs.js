// @ts-check
/**
 * The dialogs (confirm, the install log, the settings) and the error panel, which
 * shows in the panel of the action that failed: under what it is about, never over it.
 */
import { $, button, memo } from './dom.js';
import { readable } from './text.js';

/** @typedef {import('./state.js').ErrorBody} ErrorBody */
/** @typedef {import('./state.js').State} State */
/** @typedef {import('../src/api.js').LogTail} LogTail */

/**
 * Asks before something that cannot be undone or changes what exists; the button that
 * says yes names what it does ("Tear down web-2").
 * @param {{title: string, text: string, yes: string, danger?: boolean}} question @returns {Promise<boolean>}
 */
export function confirm({ title, text, yes, danger = true }) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm-dialog'));
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  const yesButton = button('confirm-yes');
  yesButton.textContent = yes;
  yesButton.className = danger ? 'danger' : '';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true }),
  );
}

/** Shows the end of the install log, or why it cannot be shown. @param {{ok: boolean, body: LogTail|ErrorBody}} result */
export function showLog(result) {
  const text = /** @type {HTMLTextAreaElement} */ ($('log-dialog-text'));
  if (result.ok) {
    const tail = /** @type {LogTail} */ (result.body);
    $('log-dialog-path').textContent = `${tail.path}${tail.omitted ? ` (the last ${tail.lines.length} lines)` : ''}`;
    text.value = tail.lines.join('\n') || '(empty)';
  } else {
    $('log-dialog-path').textContent = '';
    text.value = /** @type {ErrorBody} */ (result.body).message;
  }
  /** @type {HTMLDialogElement} */ ($('log-dialog')).showModal();
}

export const renderError = memo(
  /** @param {State['error']} error @param {boolean} elsewhere the error shows under its field instead */
  (error, elsewhere) => {
    const panel = $('error-panel');
    panel.hidden = !error || elsewhere;
    if (!error || elsewhere) return;
    const slot = document.querySelector(`.error-slot[data-for="${error.place}"]`);
    if (slot && panel.parentElement !== slot) slot.append(panel);
    $('error-title').textContent = error.title;
    const shown = readable(error.body.message);
    $('error-message').textContent = shown;
    // What was left out (hashes, an exception's class) is one click away.
    $('error-details').hidden = shown === error.body.message;
    $('error-details-text').textContent = error.body.message;
    $('error-hint').textContent = error.body.hint;
    $('error-code').textContent = error.body.code;
    button('retry-button').hidden = !error.retry;
    // A download that failed is often a proxy or a mirror to set.
    button('error-settings-button').hidden = !['network', 'tls'].includes(error.body.code);
    // The install log says more only about what ran the installer.
    button('error-log-button').hidden = error.place !== 'tools' && error.place !== 'clouds';
    (error.retry ? button('retry-button') : panel).focus();
  },
);
