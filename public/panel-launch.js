// @ts-check
/**
 * The Launch form: the clouds it offers (those to add first marked), autostop offered
 * only as the chosen cloud allows, each field's error under it, and a preview's result
 * beside the button.
 */
import { $, button, memo } from './dom.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {import('../src/api.js').CloudInfo} CloudInfo */
/** @typedef {ReturnType<import('./state.js').busyOf>} Busy */

/** @returns {HTMLFormElement} */
const form = () => /** @type {HTMLFormElement} */ ($('launch-form'));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));

/** The clouds known, for the autostop rules (kept from the last render). @type {readonly CloudInfo[]} */
let clouds = [];

/** The tools a launch needs and this computer lacks (kept from the last render, for the button). @type {string[]} */
let missing = [];

export const renderLaunch = memo(
  /**
   * @param {State['info']} info @param {State['status']} status @param {CloudInfo[]} addable
   * @param {string[]} notSetUp the clouds (ids) the last check did not enable
   * @param {State['preview']} preview @param {string} said what the last launch asked for became
   * @param {Busy} busy @param {boolean} primary Launch is the next step
   */
  (info, status, addable, notSetUp, preview, said, busy, primary) => {
    const team = status?.api_server.team ?? false;
    missing = info && !team ? info.missing_tools : [];
    const warning = $('tools-warning');
    warning.hidden = missing.length === 0;
    warning.textContent = missing.length
      ? `Launching a server needs ${missing.join(' and ')} on this computer, and ${missing.length > 1 ? 'they are' : 'it is'} missing: install ${missing.map((tool) => (tool === 'ssh' ? 'openssh-client (ssh)' : tool)).join(' and ')} with your system’s package manager, then restart Carapace. Check Clouds and Preview work without them.`
      : '';
    if (info) {
      clouds = info.clouds;
      const select = /** @type {HTMLSelectElement} */ ($('server-cloud'));
      if (select.options.length === 1) for (const cloud of info.clouds) select.add(new Option(cloud.name, cloud.id));
      for (const option of select.options) {
        if (!option.value) continue;
        const toAdd = addable.some((cloud) => cloud.id === option.value);
        const unready = notSetUp.includes(option.value);
        const name = info.clouds.find((cloud) => cloud.id === option.value)?.name ?? option.value;
        option.disabled = toAdd;
        const mark = team ? 'not enabled on the team’s server' : 'not set up: see Clouds';
        option.textContent = toAdd ? `${name} (add it first)` : unready ? `${name} (${mark})` : name;
      }
      if (select.selectedOptions[0]?.disabled) select.value = '';
      const marks = [
        addable.length
          ? 'Clouds marked “add it first” need SkyPilot’s support for them: add it in the Clouds list.'
          : '',
        notSetUp.length && team
          ? 'Clouds marked “not enabled” were not enabled on your team’s API server at the last Check Clouds: its admin enables them.'
          : notSetUp.length
            ? 'Clouds marked “not set up” were not enabled at the last Check Clouds: set them up as the Clouds list says, then check again.'
            : '',
      ].filter(Boolean);
      $('server-cloud-help').textContent = marks.length
        ? marks.join(' ')
        : 'With none chosen, SkyPilot picks the cheapest enabled cloud.';
    }
    const launchButton = button('launch-button');
    launchButton.className = primary ? '' : 'secondary';
    // Busy, yet focusable: the focus stays on it while the request runs (a disabled button drops it).
    launchButton.setAttribute('aria-disabled', String(busy.launching));
    $('launch-said').textContent = said;
    $('preview-result').textContent = preview ? `Preview of ${preview.name}: ${preview.text}.` : '';
    syncForm();
  },
);

/**
 * The controls that depend on others: the idle ones only with autostop on, "stop" only
 * where the chosen cloud can stop a server (on demand or spot), and the button's name.
 */
export function syncForm() {
  const on = input('server-autostop').checked;
  const cloud = clouds.find((each) => each.id === /** @type {HTMLSelectElement} */ ($('server-cloud')).value);
  const spot = input('server-spot').checked;
  const canStop = cloud ? cloud.can_stop[spot ? 'spot' : 'on_demand'] : false;
  const stop = input('server-idle-stop');
  const down = input('server-idle-down');
  input('server-idle').disabled = !on;
  down.disabled = !on;
  stop.disabled = !on || !canStop;
  if (stop.checked && stop.disabled) down.checked = true;
  $('server-stop-help').textContent = !cloud
    ? 'Stopping needs a chosen cloud that can stop servers: the cheapest one may not.'
    : canStop
      ? ''
      : `${cloud.name} cannot stop ${spot ? 'spot servers' : 'servers'}: they can only be torn down.`;
  const previewing = input('server-preview').checked;
  const launchButton = button('launch-button');
  launchButton.textContent = previewing ? 'Preview' : 'Launch Server';
  // Without ssh or rsync a launch cannot work (the warning above says so); a preview can.
  launchButton.disabled = missing.length > 0 && !previewing;
  $('server-name-help').textContent = previewing
    ? 'A preview needs a name too (SkyPilot asks for one); nothing is made with it.'
    : 'Letters, digits, “-”, “_”, “.”; starts with a letter.';
}

/** The request the form asks for. */
export function launchRequest() {
  const fields = new FormData(form());
  /** @type {Record<string, unknown>} */
  const request = { name: String(fields.get('name') ?? '').trim() };
  for (const key of ['cloud', 'cpus', 'memory']) {
    const value = String(fields.get(key) ?? '').trim();
    if (value) request[key] = value;
  }
  request.use_spot = fields.get('use_spot') === 'on';
  request.dryrun = fields.get('dryrun') === 'on';
  request.autostop =
    fields.get('autostop') === 'on'
      ? { idle_minutes: Number(fields.get('idle_minutes') ?? 60), down: fields.get('idle_action') !== 'stop' }
      : null;
  return request;
}

/** Each field's message when it is not valid. @type {Record<string, (field: HTMLInputElement) => string>} */
const MESSAGES = {
  'server-name': (field) =>
    field.validity.valueMissing
      ? input('server-preview').checked
        ? 'Give the server a name: a preview needs one too.'
        : 'Give the server a name.'
      : 'Use letters, digits, “-”, “_” or “.”, starting with a letter and ending with a letter or digit (at most 63).',
  'server-cpus': () => 'A number of CPUs, optionally followed by “+” for at least that many (e.g. 2 or 4+).',
  'server-memory': () => 'A number of GB, optionally followed by “+” for at least that much (e.g. 8 or 16+).',
  'server-idle': () => 'A whole number of minutes, from 1 to 10080 (a week).',
};

/** @param {string} id @param {string} message */
function markField(id, message) {
  const field = input(id);
  $(`${id}-error`).textContent = message;
  if (message) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
}

/** Checks the form; each error goes under its field. @returns {HTMLInputElement|null} the first field to fix */
export function validate() {
  /** @type {HTMLInputElement|null} */
  let first = null;
  for (const [id, message] of Object.entries(MESSAGES)) {
    const field = input(id);
    const bad = !field.disabled && !field.checkValidity();
    markField(id, bad ? message(field) : '');
    if (bad && !first) first = field;
  }
  return first;
}

/** A field's error is cleared as soon as it is edited. @param {Event} event */
export function clearFieldError(event) {
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.id in MESSAGES) markField(target.id, '');
}

/**
 * The field a refused request names (src/servers/request.ts words its messages after them), or null.
 * @param {import('./state.js').ErrorBody} error
 */
export function fieldOf(error) {
  if (error.code !== 'invalid-request') return null;
  if (/not a valid server name/.test(error.message)) return 'server-name';
  if (/^"cpus"/.test(error.message)) return 'server-cpus';
  if (/^"memory"/.test(error.message)) return 'server-memory';
  if (/idle_minutes/.test(error.message)) return 'server-idle';
  return null;
}

/** Shows a refused request's message under the field it names. @param {string} id @param {string} message */
export function showFieldError(id, message) {
  markField(id, message);
  input(id).focus();
}
