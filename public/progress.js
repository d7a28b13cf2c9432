// @ts-check
/**
 * An installer run's progress, worked out from its events alone (pure), so that a
 * reload that gets the same events shows the same bar.
 *
 * Each step owns a fixed share of the bar, sized by what a fresh install downloads
 * (uv's archive, about 19 MB, then Python and SkyPilot's packages, about 114 MB). A
 * step that downloads fills its share by the bytes it reports (the installer's
 * `bytes=done/total`, an estimate for the packages), so the bar moves with every
 * report, never goes back, and reaches 100% only when the run is complete. The time
 * left is of the step under way, said only once its speed is steady.
 */
import { megabytes } from './text.js';

/** @typedef {import('./state.js').InstallEvent} InstallEvent */
/** @typedef {import('../src/api.js').AppInfo} AppInfo */
/** @typedef {'checking'|'downloading'|'installing'|'verifying'|'complete'} Step */

/** The steps the page lists, in order. */
export const STEPS = /** @type {const} */ (['checking', 'downloading', 'installing', 'verifying', 'complete']);

/** Each step's share of the bar, in percent: [start, end]. @type {Record<Step, [number, number]>} */
const SHARE = {
  checking: [0, 2],
  downloading: [2, 16],
  installing: [16, 94],
  verifying: [94, 99],
  complete: [100, 100],
};

/** How the runs of each job are said. @param {InstallEvent} event @param {AppInfo|null} info */
export function planOf(event, info) {
  const cloud = info?.clouds.find((each) => each.id === event.cloud)?.name ?? event.cloud ?? 'a cloud';
  switch (event.job) {
    case 'repair':
      return { running: 'Repairing the cloud tools', done: 'Cloud tools repaired', failed: 'The repair failed' };
    case 'add-cloud':
      return { running: `Adding ${cloud}`, done: `${cloud}'s libraries installed`, failed: `Adding ${cloud} failed` };
    case 'update':
      return { running: 'Updating SkyPilot', done: 'SkyPilot updated', failed: 'The update failed' };
    case 'uninstall':
      return { running: 'Removing the cloud tools', done: 'Cloud tools removed', failed: 'The uninstall failed' };
    default:
      return {
        running: 'Installing the cloud tools',
        done: 'Cloud tools installed',
        failed: 'The installation failed',
      };
  }
}

/**
 * The step of each event: checking the download's checksum is part of downloading.
 * @param {InstallEvent[]} events @returns {(Step|null)[]}
 */
function stepsOf(events) {
  let installing = false;
  return events.map((event) => {
    if (event.phase === 'installing') installing = true;
    if (event.phase === 'error') return null;
    return event.phase === 'verifying' && !installing ? 'downloading' : event.phase;
  });
}

/** How far into its step an event is, 0 to 1. @param {InstallEvent} event @param {Step} step */
function fractionOf(event, step) {
  if (step === 'downloading' && event.phase === 'verifying') return 1;
  if ((step === 'downloading' || step === 'installing') && event.bytes !== null && event.total) {
    // The packages' total is an estimate: their share is never full before uv is done.
    return Math.min(event.bytes / event.total, step === 'installing' ? 0.98 : 1);
  }
  return 0;
}

/**
 * Where the bar is after each event, folded so that it never goes back.
 * @param {InstallEvent[]} events @returns {number}
 */
export function barValue(events) {
  const steps = stepsOf(events);
  let value = 0;
  events.forEach((event, i) => {
    const step = steps[i];
    if (!step) return;
    const [from, to] = SHARE[step];
    value = Math.max(value, from + (to - from) * fractionOf(event, step));
  });
  return steps.includes('complete') ? 100 : Math.min(value, 99);
}

/**
 * The time left in a download step, from its reports of the last seconds; '' until the speed is steady.
 * @param {InstallEvent[]} measured the step's events with bytes, a total and a time, oldest first
 * @param {Step} step
 */
export function timeLeft(measured, step) {
  const last = measured.at(-1);
  if (!last?.ts || !last.total || last.bytes === null) return '';
  const recent = measured.filter((event) => (last.ts ?? 0) - (event.ts ?? 0) <= 8000);
  const first = recent[0];
  if (!first?.ts || first.bytes === null || recent.length < 4 || last.ts - first.ts < 3000) return '';
  const middle = recent[Math.floor(recent.length / 2)];
  const rate = (/** @type {InstallEvent} */ a, /** @type {InstallEvent} */ b) =>
    ((b.bytes ?? 0) - (a.bytes ?? 0)) / Math.max(1, (b.ts ?? 0) - (a.ts ?? 0));
  if (!middle) return '';
  const early = rate(first, middle);
  const late = rate(middle, last);
  if (early <= 0 || late <= 0 || Math.min(early, late) / Math.max(early, late) < 0.6) return '';
  // An estimated total can be short: near its end the time left is a guess.
  if (step === 'installing' && last.bytes > 0.9 * last.total) return '';
  const seconds = (last.total - last.bytes) / rate(first, last) / 1000;
  if (seconds < 10) return step === 'downloading' ? 'a few seconds left in this step' : '';
  if (seconds < 60) return `about ${Math.ceil(seconds / 5) * 5} s left in this step`;
  return `about ${Math.round(seconds / 60)} min left in this step`;
}

/**
 * Everything the progress panel shows, or null before any event.
 * @param {InstallEvent[]} events @param {AppInfo|null} info
 */
export function progressOf(events, info) {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) return null;
  const plan = planOf(first, info);
  const steps = stepsOf(events);
  const step = /** @type {Step} */ (steps.filter((each) => each !== null).at(-1) ?? 'checking');
  const failed = last.phase === 'error';
  const cancelled = failed && last.code === 'interrupted';
  const complete = last.phase === 'complete';
  const value = barValue(events);
  const percent = Math.floor(value);
  const measuredOfStep = events.filter(
    (event, i) => steps[i] === step && event.bytes !== null && (step === 'downloading' || step === 'installing'),
  );
  const latest = measuredOfStep.at(-1);
  let amount = '';
  if (latest?.bytes != null && !complete && !failed) {
    const about = step === 'installing' ? 'about ' : '';
    amount = latest.total
      ? `${megabytes(latest.bytes)} of ${about}${megabytes(latest.total)} MB`
      : `${megabytes(latest.bytes)} MB`;
  }
  const left =
    complete || failed
      ? ''
      : timeLeft(
          measuredOfStep.filter((event) => event.total && event.ts),
          step,
        );
  const took =
    typeof first.ts === 'number' && typeof last.ts === 'number' && complete
      ? Math.round((last.ts - first.ts) / 1000)
      : null;
  const stepped = first.job !== 'uninstall';
  let title = stepped ? `${plan.running} · ${percent}%` : plan.running;
  if (complete) title = took === null ? plan.done : `${plan.done} in ${took} s`;
  else if (cancelled) title = 'Installation cancelled';
  else if (failed) title = plan.failed;
  return {
    job: first.job ?? 'install',
    /** Whether the run goes through the install's steps (an uninstall does not). */
    stepped,
    step,
    failed,
    cancelled,
    complete,
    value,
    percent,
    title,
    text: [`${percent}%`, amount, left].filter(Boolean).join(' · '),
    message: cancelled
      ? 'Cancelled: nothing half-installed was kept.'
      : failed
        ? `${plan.failed}: see what to do below.`
        : last.message,
  };
}
