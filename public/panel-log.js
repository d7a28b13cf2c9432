// @ts-check
/**
 * The activity log: what the installer and sky printed (colours taken out) and what
 * the page did. It is not a live region: a screen reader hears the summaries the
 * announcer says (an install started or ended, a check's result, an error), not each line.
 */
import { $, h, memo } from './dom.js';

/** @typedef {import('./state.js').LogLine} LogLine */

/** The number of the last line drawn: lines after it are appended, the others kept. */
let drawnUpTo = 0;

/**
 * Whether the log follows new lines: until the reader scrolls up, and again once they scroll
 * back to its end. Kept as the reader left it, not measured when lines come: a window made
 * narrower wraps the lines and moves the end, which is no reason to stop following.
 */
let following = true;

/** @param {LogLine} line */
function lineElement(line) {
  if (line.kind === 'install')
    return h('li', { 'data-phase': line.phase }, h('span', { className: 'tag', textContent: '[install] ' }), line.text);
  return h('li', { textContent: line.text, className: line.kind === 'action' ? '' : line.kind });
}

/** Listens to the reader's scrolling, and keeps a followed log at its end when the window's width changes (once, at start). */
export function watchLog() {
  const log = $('log');
  log.addEventListener('scroll', () => {
    following = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  });
  window.addEventListener('resize', () => {
    if (following) log.scrollTop = log.scrollHeight;
  });
}

/**
 * What an empty log says. It holds what happened since this page was opened (a reload keeps it
 * in the tab, a new tab or a restarted Carapace does not): once anything was installed or failed
 * before, "nothing yet" is untrue, and the install's own log is offered.
 * @param {import('./state.js').Status|null} status
 * @returns {{text: string, installLog: boolean}}
 */
export function emptyLogText(status) {
  const before = status !== null && (status.source === 'managed' || status.state === 'error');
  if (before) return { text: 'Nothing since this page was opened. The log of the last install:', installLog: true };
  if (status?.state === 'installing' || status?.source)
    return { text: 'Nothing since this page was opened.', installLog: false };
  return { text: 'Nothing yet. What the installer and SkyPilot print shows here as it happens.', installLog: false };
}

/** @param {LogLine[]} lines @param {import('./state.js').Status|null} status */
export function renderLog(lines, status) {
  const log = $('log');
  const empty = emptyLogText(status);
  $('log-empty-text').textContent = empty.text;
  $('log-empty-button').hidden = !empty.installLog;
  $('log-empty').hidden = lines.length > 0;
  log.hidden = lines.length === 0;
  // "Copied 56 lines." is of the log as it was: once it changes, it is not true.
  if ((lines.at(-1)?.n ?? 0) !== drawnUpTo) $('copy-said').textContent = '';
  const first = lines[0];
  const newest = lines.at(-1)?.n ?? 0;
  if (!first || first.n > drawnUpTo + 1 || newest < drawnUpTo) {
    // A fresh log (another server life replaced it): draw it all.
    log.replaceChildren(...lines.map(lineElement));
    drawnUpTo = newest;
    following = true;
    log.scrollTop = log.scrollHeight;
    return;
  }
  const added = lines.filter((line) => line.n > drawnUpTo);
  if (added.length === 0) return;
  log.append(...added.map(lineElement));
  while (log.childElementCount > lines.length) log.firstElementChild?.remove();
  drawnUpTo = newest;
  if (following) log.scrollTop = log.scrollHeight;
}

/** The log as text, one line each, for Copy. @param {LogLine[]} lines */
export function logText(lines) {
  return lines.map((line) => (line.kind === 'install' ? `[install] ${line.text}` : line.text)).join('\n');
}

export const renderAnnouncement = memo(
  /** @param {string} text */
  (text) => {
    $('announcer').textContent = text;
  },
);
