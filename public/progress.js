// @ts-check
/**
 * An installer run's progress, worked out from its events alone (pure), so that a
 * reload that gets the same events shows the same bar.
 *
 * Each job lists the steps it does -- a first install downloads uv, then SkyPilot; a
 * cloud added installs its libraries and restarts SkyPilot's API server -- and each
 * step owns a fixed share of the bar. An event belongs to a step by its phase (the
 * installer's lines about SkyPilot's API server come after verifying), and the run
 * never goes back to an earlier step. A step that downloads fills its share by the
 * bytes it reports (the installer's `bytes=done/total`; for the packages an estimate,
 * so their share slows near its end and uv's own lines -- "Prepared", "Installed" --
 * finish it), so the bar moves with every report, never goes back, and reaches 100%
 * only when the run is complete. The time left is of the step under way, said only
 * once its speed is steady.
 */
import { megabytes } from './text.js';

/** @typedef {import('./state.js').InstallEvent} InstallEvent */
/** @typedef {import('../src/api.js').AppInfo} AppInfo */
/** @typedef {'prepare'|'uv'|'packages'|'verify'|'restart'|'ready'} Step */
/** @typedef {{step: Step, label: string, share: [number, number]}} PlannedStep */
/** @typedef {'done'|'skipped'|'active'|'failed'|''} StepState */

/** Every step a job can have, in the order the installer does them. @type {readonly Step[]} */
const ORDER = ['prepare', 'uv', 'packages', 'verify', 'restart', 'ready'];

/** @param {Step} step @param {string} label @param {number} from @param {number} to @returns {PlannedStep} */
const planned = (step, label, from, to) => ({ step, label, share: [from, to] });

const READY = planned('ready', 'Ready', 100, 100);
const RESTART = 'Restarting SkyPilot’s API server';

/**
 * How the runs of each job are said, and the steps each does with their shares of the bar.
 * @param {InstallEvent} event @param {AppInfo|null} info
 */
export function planOf(event, info) {
  const cloud = info?.clouds.find((each) => each.id === event.cloud)?.name ?? event.cloud ?? 'a cloud';
  switch (event.job) {
    case 'repair':
      return {
        running: 'Repairing the cloud tools',
        short: 'Repairing',
        done: 'Cloud tools repaired',
        failed: 'The repair failed',
        packages: 'SkyPilot and its libraries',
        steps: [
          planned('prepare', 'Checking this computer', 0, 5),
          planned('packages', 'Reinstalling SkyPilot', 5, 90),
          planned('verify', 'Checking that SkyPilot runs', 90, 95),
          planned('restart', RESTART, 95, 99),
          READY,
        ],
      };
    case 'add-cloud':
      return {
        running: `Adding ${cloud}`,
        short: `Adding ${cloud}`,
        done: `${cloud} added`,
        failed: `Adding ${cloud} failed`,
        packages: `${cloud}’s libraries`,
        steps: [
          planned('packages', `Installing ${cloud}’s libraries`, 0, 88),
          planned('verify', 'Checking that SkyPilot runs', 88, 94),
          planned('restart', RESTART, 94, 99),
          READY,
        ],
      };
    case 'update':
      return {
        running: 'Updating SkyPilot',
        short: 'Updating',
        done: 'SkyPilot updated',
        failed: 'The update failed',
        packages: 'SkyPilot and its libraries',
        steps: [
          planned('packages', 'Downloading the newest SkyPilot', 0, 88),
          planned('verify', 'Checking that it runs', 88, 94),
          planned('restart', RESTART, 94, 99),
          READY,
        ],
      };
    case 'uninstall':
      return {
        running: 'Removing the cloud tools',
        short: 'Removing',
        done: 'Cloud tools removed',
        failed: 'The uninstall failed',
        packages: '',
        steps: [],
      };
    default:
      return {
        running: 'Installing the cloud tools',
        short: 'Installing',
        done: 'Cloud tools installed',
        failed: 'The installation failed',
        packages: 'SkyPilot and its libraries',
        steps: [
          planned('prepare', 'Checking this computer', 0, 2),
          planned('uv', 'Downloading the package manager (uv)', 2, 16),
          planned('packages', 'Downloading and installing SkyPilot', 16, 94),
          planned('verify', 'Verifying', 94, 99),
          READY,
        ],
      };
  }
}

/**
 * The step each event is of, as an index into the job's steps, never going back: a step
 * the job does not list is part of the one before it (the first, if none is). Checking
 * uv's download is part of downloading it; the lines about SkyPilot's API server come
 * after verifying (the installer stops it when it switches to the new install).
 * @param {InstallEvent[]} events @param {PlannedStep[]} steps @returns {(number|null)[]}
 */
function stepIndexes(events, steps) {
  let installing = false;
  let at = 0;
  return events.map((event) => {
    if (event.phase === 'installing') installing = true;
    /** @type {Step|null} */
    let step = null;
    if (event.phase === 'checking') step = /API server/.test(event.message) ? 'restart' : 'prepare';
    else if (event.phase === 'downloading') step = 'uv';
    else if (event.phase === 'verifying') step = installing ? 'verify' : 'uv';
    else if (event.phase === 'installing') step = 'packages';
    else if (event.phase === 'complete') step = 'ready';
    if (step === null) return null;
    const rank = ORDER.indexOf(step);
    let index = -1;
    steps.forEach((each, i) => {
      if (ORDER.indexOf(each.step) <= rank) index = i;
    });
    at = Math.max(at, index, 0);
    return at;
  });
}

/** uv's lines once the packages are downloaded: how far the step is then. @type {[RegExp, number][]} */
const PACKAGE_MILESTONES = [
  [/^\s*Prepared \d+ packages?/, 0.9],
  [/^\s*Installed \d+ packages?/, 0.95],
  [/^\s*Installed \d+ executables?/, 0.98],
];

/**
 * The packages' share filled by bytes of an estimated total: as measured up to 80%, then
 * slower and slower towards 90% however far past the estimate they go, so that it moves
 * with every report yet never runs ahead of uv saying it is done.
 * @param {number} ratio
 */
function estimated(ratio) {
  return ratio <= 0.8 ? ratio : 0.9 - 0.1 * Math.exp(-(ratio - 0.8) * 10);
}

/** How far into its step an event is, 0 to 1. @param {InstallEvent} event @param {Step} step */
function fractionOf(event, step) {
  if (step === 'uv' && event.phase === 'verifying') return 1;
  if (step === 'packages') {
    const milestone = PACKAGE_MILESTONES.find(([line]) => line.test(event.message));
    if (milestone) return milestone[1];
  }
  if (event.bytes !== null && event.total) {
    const ratio = event.bytes / event.total;
    return step === 'packages' ? estimated(ratio) : Math.min(ratio, 1);
  }
  return 0;
}

/**
 * Where the bar is after the events, folded so that it never goes back.
 * @param {InstallEvent[]} events @param {AppInfo|null} [info] @returns {number}
 */
export function barValue(events, info = null) {
  const first = events[0];
  if (!first) return 0;
  const { steps } = planOf(first, info);
  const indexes = stepIndexes(events, steps);
  let value = 0;
  events.forEach((event, i) => {
    const planned = steps[indexes[i] ?? -1];
    if (!planned) return;
    const [from, to] = planned.share;
    value = Math.max(value, from + (to - from) * fractionOf(event, planned.step));
  });
  return events.some((event) => event.phase === 'complete') ? 100 : Math.min(value, 99);
}

/**
 * The time left in a download step, from its reports of the last seconds; '' until the speed is steady.
 * @param {InstallEvent[]} measured the step's events with bytes, a total and a time, oldest first
 * @param {boolean} estimate the total is an estimate (the packages')
 */
export function timeLeft(measured, estimate) {
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
  if (estimate && last.bytes > 0.9 * last.total) return '';
  const seconds = (last.total - last.bytes) / rate(first, last) / 1000;
  if (seconds < 10) return estimate ? '' : 'a few seconds left in this step';
  if (seconds < 60) return `about ${Math.ceil(seconds / 5) * 5} s left in this step`;
  return `about ${Math.round(seconds / 60)} min left in this step`;
}

/**
 * An installer line in a user's words: the wait for a download that sends nothing
 * (the installer's "Waiting for <host>... N s") says what it is.
 * @param {string} message
 */
export function installLine(message) {
  const waiting = /^Waiting for (.+)\.\.\. (\d+) s$/.exec(message);
  if (waiting)
    return `No data from ${waiting[1]} for ${waiting[2]} s; still waiting (it gives up after 15 s by default)`;
  return message;
}

/** The version an update's complete line names: "SkyPilot X is already the newest version", or "updated from A to B". @param {string} message */
function updatedTo(message) {
  const current = /^SkyPilot (\S+) is already the newest version/.exec(message);
  if (current) return { changed: false, version: current[1] ?? '' };
  const updated = /^SkyPilot updated from \S+ to (\S+?);/.exec(message);
  return { changed: true, version: updated?.[1] ?? '' };
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
  const indexes = stepIndexes(events, plan.steps);
  const at = Math.max(0, ...indexes.map((index) => index ?? 0));
  const entered = new Set(indexes);
  const failed = last.phase === 'error';
  const cancelled = failed && last.code === 'interrupted';
  const complete = last.phase === 'complete';
  const value = barValue(events, info);
  const percent = Math.floor(value);
  /** @type {{step: Step, label: string, state: StepState}[]} */
  const steps = plan.steps.map(({ step, label }, i) => {
    /** @type {StepState} */
    let state = '';
    if (i < at) state = entered.has(i) ? 'done' : 'skipped';
    else if (i === at) state = complete ? 'done' : cancelled ? '' : failed ? 'failed' : 'active';
    return { step, label, state };
  });
  const step = plan.steps[at]?.step ?? 'prepare';
  const ofStep = events.filter((event, i) => indexes[i] === at && event.bytes !== null);
  const latest = ofStep.at(-1);
  const estimate = step === 'packages';
  let amount = '';
  if (latest?.bytes != null && !complete && !failed) {
    // The bar's percent is of the whole run, the megabytes of one download: each is named.
    const of = step === 'uv' ? 'package manager' : plan.packages;
    amount =
      latest.total && !estimate
        ? `${of}: ${megabytes(latest.bytes)} of ${megabytes(latest.total)} MB`
        : `${of}: ${megabytes(latest.bytes)} MB downloaded`;
  }
  const left =
    complete || failed
      ? ''
      : timeLeft(
          ofStep.filter((event) => event.total && event.ts),
          estimate,
        );
  const took =
    typeof first.ts === 'number' && typeof last.ts === 'number' && complete
      ? Math.round((last.ts - first.ts) / 1000)
      : null;
  const stepped = plan.steps.length > 0;
  let done = took === null ? plan.done : `${plan.done} in ${took} s`;
  if (first.job === 'update' && complete) {
    // An update that found nothing newer changed nothing: it says so, not "updated".
    const { changed, version } = updatedTo(last.message);
    done = changed
      ? `SkyPilot updated to ${version}${took === null ? '' : ` in ${took} s`}`
      : `SkyPilot is up to date (${version})`;
  }
  let title = stepped ? `${plan.running} · ${percent}%` : plan.running;
  if (complete) title = done;
  else if (cancelled) title = 'Installation cancelled';
  else if (failed) title = plan.failed;
  // The line under the bar: what the run does now, without the figures the bar already says.
  const said = events.filter((event) => event.bytes === null && event.phase !== 'complete').at(-1) ?? last;
  return {
    job: first.job ?? 'install',
    /** Whether the run goes through steps (an uninstall does not). */
    stepped,
    steps,
    step,
    failed,
    cancelled,
    complete,
    value,
    percent,
    title,
    /** What the run does, for the status line ("Adding GCP"), and in a word or two for the tab's title. */
    running: plan.running,
    short: plan.short,
    // A run that ended short of its end says where it stopped, not a figure that looks still under way.
    text: failed
      ? `Stopped at ${percent}%, in “${plan.steps[at]?.label ?? plan.running}”`
      : [`${percent}% in all`, amount, left].filter(Boolean).join(' · '),
    message: cancelled
      ? 'Cancelled: nothing half-installed was kept.'
      : failed
        ? `${plan.failed}: see what to do below.`
        : complete
          ? ''
          : installLine(said.message),
  };
}
