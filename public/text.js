// @ts-check
/** Small text helpers the page's modules share. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what this removes
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\r/g;

/** A line as a person reads it: sky's colours and other terminal escapes taken out. @param {string} text */
export function plain(text) {
  return text.replace(ESCAPES, '');
}

/** @param {number} bytes */
export const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

/** A time of day, as this browser writes it (e.g. "10:42:05"). @param {string} iso */
export function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}
