// @ts-check
/** The confirm dialog, the full install log, and the error panel. */
import { $, memo } from './dom.js';

/** @typedef {import('./state.js').ErrorBody} ErrorBody */
/** @typedef {import('../src/api.js').LogTail} LogTail */

/** Asks a yes-or-no question in a modal dialog. @param {string} text @returns {Promise<boolean>} */
export function confirm(text) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm-dialog'));
  $('confirm-text').textContent = text;
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
  /** @param {import('./state.js').State['error']} error */
  (error) => {
    const panel = $('error-panel');
    panel.hidden = !error;
    if (!error) return;
    $('error-message').textContent = error.body.message;
    $('error-hint').textContent = error.body.hint;
    $('error-code').textContent = error.body.code;
    $('retry-button').hidden = !error.retry;
    (error.retry ? $('retry-button') : panel).focus();
  },
);
