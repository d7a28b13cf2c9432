// @ts-check
/** The installer run's steps, bar and current line, inside the Cloud tools panel; folded away once it succeeded. */
import { $, button, memo } from './dom.js';
import { progressOf } from './progress.js';
import { plain } from './text.js';

export const renderProgress = memo(
  /**
   * @param {import('./state.js').InstallEvent[]} events @param {import('./state.js').AppInfo|null} info
   * @param {string|null} ownInstall the run this server started and runs now (it can be cancelled)
   * @param {boolean} cancelling
   */
  (events, info, ownInstall, cancelling) => {
    const progress = progressOf(events, info);
    const panel = /** @type {HTMLDetailsElement} */ ($('progress-panel'));
    const running = progress !== null && !progress.complete && !progress.failed;
    const verb = progress?.title.split(' ')[0] ?? '';
    document.title = !running
      ? 'Carapace'
      : progress.stepped
        ? `${verb} ${progress.percent}% · Carapace`
        : `${progress.title} · Carapace`;
    panel.hidden = !progress;
    if (!progress) return;
    // Open while it runs or when it failed; folded away once it succeeded.
    panel.open = !progress.complete && !progress.cancelled;
    $('progress-title').textContent = progress.title;
    $('steps').hidden = !progress.stepped;
    const order = [...$('steps').querySelectorAll('li')].map((item) => item.dataset.step ?? '');
    const index = order.indexOf(progress.step);
    for (const item of $('steps').querySelectorAll('li')) {
      const position = order.indexOf(item.dataset.step ?? '');
      item.className = '';
      item.removeAttribute('aria-current');
      if (position < index || (progress.complete && position === index)) item.className = 'done';
      else if (position === index) {
        item.className = progress.failed && !progress.cancelled ? 'failed' : progress.failed ? '' : 'active';
        if (!progress.failed) item.setAttribute('aria-current', 'step');
      }
    }
    const bar = /** @type {HTMLProgressElement} */ ($('download-progress'));
    // An uninstall measures nothing: its bar says only that it runs.
    if (progress.stepped || progress.complete) bar.value = progress.value;
    else bar.removeAttribute('value');
    $('download-text').textContent = progress.stepped ? progress.text : '';
    $('progress-text').textContent = plain(progress.message);
    const cancel = button('cancel-install-button');
    cancel.hidden = !running || ownInstall !== events[0]?.install_id;
    cancel.disabled = cancelling;
    cancel.textContent = cancelling ? 'Cancelling…' : 'Cancel installation';
  },
);
