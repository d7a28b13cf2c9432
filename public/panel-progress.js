// @ts-check
/** The installer run's steps, bar and current line, inside the Cloud tools panel; folded away once it succeeded. */
import { $, button, h, memo } from './dom.js';
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
    document.title = !running
      ? 'Carapace'
      : progress.stepped
        ? `${progress.short} ${progress.percent}% · Carapace`
        : `${progress.running} · Carapace`;
    panel.hidden = !progress;
    if (!progress) return;
    // Open while it runs or when it failed; folded away once it succeeded.
    panel.open = !progress.complete && !progress.cancelled;
    $('progress-title').textContent = progress.title;
    const steps = $('steps');
    steps.hidden = !progress.stepped;
    steps.replaceChildren(
      ...progress.steps.map(({ step, label, state }) =>
        h(
          'li',
          { 'data-step': step, className: state, 'aria-current': state === 'active' ? 'step' : undefined },
          label,
          // A step the run did not need (uv already there, no API server to restart) is said so, not ticked.
          state === 'skipped' ? h('span', { className: 'muted', textContent: ' (not needed)' }) : null,
        ),
      ),
    );
    const bar = /** @type {HTMLProgressElement} */ ($('download-progress'));
    // An uninstall measures nothing: its bar says only that it runs.
    if (progress.stepped || progress.complete) bar.value = progress.value;
    else bar.removeAttribute('value');
    // A run that failed is not still filling: its bar is drawn as stopped (red when it failed, grey when cancelled).
    bar.dataset.state = progress.cancelled ? 'cancelled' : progress.failed ? 'failed' : '';
    $('download-text').textContent = progress.stepped ? progress.text : '';
    $('progress-text').textContent = plain(progress.message);
    const cancel = button('cancel-install-button');
    cancel.hidden = !running || ownInstall !== events[0]?.install_id;
    cancel.disabled = cancelling;
    cancel.textContent = cancelling ? 'Cancelling…' : 'Cancel installation';
  },
);
