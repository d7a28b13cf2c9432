// @ts-check
/**
 * An install's progress, worked out from its events alone (pure), so that a
 * reload that replays them shows the same bar.
 */

/** @typedef {import('../src/api.js').Phase} Phase */
/** @typedef {import('./state.js').TimedInstallEvent} InstallEvent */

/** The steps the page lists, in order. */
export const STEPS = ['checking', 'downloading', 'installing', 'verifying', 'complete'];

/**
 * The step an install is at: checking the download's checksum is part of downloading.
 * @param {InstallEvent[]} events
 */
export function currentStep(events) {
  let step = 'checking';
  let installed = false;
  for (const event of events) {
    if (event.phase === 'installing') installed = true;
    if (event.phase === 'error') continue;
    step = event.phase === 'verifying' && !installed ? 'downloading' : event.phase;
  }
  return step;
}

/** @param {number} bytes */
export const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

/**
 * @param {InstallEvent[]} events
 * @returns {{step: string, failed: boolean, percent: number, text: string, title: string, message: string}|null}
 */
export function progressOf(events) {
  const last = events.at(-1);
  if (!last) return null;
  const step = currentStep(events);
  const failed = last.phase === 'error';
  const measured = events.filter((event) => event.percent !== null || event.bytes !== null);
  // The bar never goes back within an install.
  let percent = Math.max(0, ...measured.map((event) => event.percent ?? 0));
  percent = step === 'complete' ? 100 : Math.min(percent, 99);
  let text = `${percent}%`;
  const latest = measured.at(-1);
  if (latest?.bytes != null && latest.phase === 'downloading') {
    text += latest.total
      ? ` (${megabytes(latest.bytes)} of ${megabytes(latest.total)} MB)`
      : ` (${megabytes(latest.bytes)} MB)`;
  }
  const left = secondsLeft(measured, percent);
  if (left !== null && !failed && step !== 'complete') text += `, about ${left} s left`;
  return {
    step,
    failed,
    percent,
    text,
    title: step === 'complete' ? 'Cloud tools installed' : failed ? 'Installation failed' : 'Installing cloud tools',
    message: failed ? 'The installation stopped: see “Something went wrong”.' : last.message,
  };
}

/**
 * Time left from the progress so far, once there is enough of it to be stable.
 * @param {InstallEvent[]} measured @param {number} percent
 */
function secondsLeft(measured, percent) {
  const first = measured[0];
  const latest = measured.at(-1);
  if (!first || !latest) return null;
  const done = percent - (first.percent ?? 0);
  const elapsed = (latest.ts - first.ts) / 1000;
  if (done < 5 || elapsed < 3) return null;
  return Math.max(1, Math.round((elapsed / done) * (100 - percent)));
}
