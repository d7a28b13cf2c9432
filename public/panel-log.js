// @ts-check
/** The activity log: what the installer and sky printed, and what the page did. */
import { $, h } from './dom.js';

/** @typedef {import('./state.js').LogLine} LogLine */

/** The number of the last line drawn: lines after it are appended, the others kept. */
let drawnUpTo = 0;

/** @param {LogLine} line */
function lineElement(line) {
  if (line.kind === 'install')
    return h('li', {}, h('span', { className: 'tag', textContent: '[install] ' }), line.text);
  return h('li', { textContent: line.text, className: line.kind === 'good' || line.kind === 'bad' ? line.kind : '' });
}

/** @param {LogLine[]} lines */
export function renderLog(lines) {
  const log = $('log');
  const first = lines[0];
  if (!first || first.n > drawnUpTo + 1 || (lines.at(-1)?.n ?? 0) < drawnUpTo) {
    // A fresh log (a snapshot replaced it): draw it all.
    log.replaceChildren(...lines.map(lineElement));
    drawnUpTo = lines.at(-1)?.n ?? 0;
    log.scrollTop = log.scrollHeight;
    return;
  }
  const added = lines.filter((line) => line.n > drawnUpTo);
  if (added.length === 0) return;
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  log.append(...added.map(lineElement));
  while (log.childElementCount > lines.length) log.firstElementChild?.remove();
  drawnUpTo = lines.at(-1)?.n ?? drawnUpTo;
  if (atBottom) log.scrollTop = log.scrollHeight;
}
