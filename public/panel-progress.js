// @ts-check
/** The install's steps, bar and current line. */
import { $, button, memo } from './dom.js';
import { progressOf } from './progress.js';

export const renderProgress = memo(
  /** @param {import('./state.js').TimedInstallEvent[]} events @param {boolean} busy */
  (events, busy) => {
    button('log-button').disabled = busy;
    const progress = progressOf(events);
    if (!progress) return;
    $('progress-panel').hidden = false;
    const items = [...$('steps').querySelectorAll('li')];
    const order = items.map((item) => item.dataset.step ?? '');
    const index = order.indexOf(progress.step);
    for (const item of items) {
      const position = order.indexOf(item.dataset.step ?? '');
      item.className = '';
      item.removeAttribute('aria-current');
      if (position < index || (progress.step === 'complete' && position === index)) item.className = 'done';
      else if (position === index) {
        item.className = progress.failed ? 'failed' : 'active';
        item.setAttribute('aria-current', 'step');
      }
    }
    /** @type {HTMLProgressElement} */ ($('download-progress')).value = progress.percent;
    $('download-text').textContent = progress.text;
    $('progress-text').textContent = progress.message;
    $('progress-title').textContent = progress.title;
  },
);
