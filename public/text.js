// @ts-check
/** Small text helpers the page's modules share. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what this removes
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\r/g;

/** A line as a person reads it: sky's colours and other terminal escapes taken out. @param {string} text */
export function plain(text) {
  return text.replace(ESCAPES, '');
}

/** Megabytes with one decimal, rounded down as the installer rounds them (so that both say the same). @param {number} bytes */
export const megabytes = (bytes) => (Math.floor(bytes / 1e5) / 10).toFixed(1);

/** A time of day, as this browser writes it (e.g. "10:42:05"). @param {string} iso */
export function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

/**
 * An error's message as the page shows it: without what is for a developer -- a checksum's
 * 64 hex digits, a Python exception's class ("sky.exceptions.ResourcesUnavailableError: ") --
 * and with one period where two met. The whole message stays in the details and the log.
 * @param {string} message
 */
export function readable(message) {
  return message
    .replace(/\s*\([^()]*\b[0-9a-f]{64}\b[^()]*\)/g, '')
    .replace(/\s*\b[0-9a-f]{64}\b/g, '')
    .replace(/\b(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception):\s+/g, '')
    .replace(/\.{2,}(?=\s|$)/g, '.');
}
