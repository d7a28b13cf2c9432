// @ts-check
/** Check Clouds and the Launch form. */
import { $, button, memo } from './dom.js';

/** The launch form offers only clouds whose libraries are installed (when that is known). */
export const renderLaunch = memo(
  /** @param {import('./state.js').AppInfo|null} info @param {import('./state.js').Status|null} status @param {boolean} busy */
  (info, status, busy) => {
    for (const id of ['check-button', 'launch-button']) button(id).disabled = busy;
    if (!info) return;
    const select = /** @type {HTMLSelectElement} */ ($('server-cloud'));
    if (select.options.length === 1) for (const cloud of info.clouds) select.add(new Option(cloud.name, cloud.id));
    const extras = status?.extras ?? null;
    for (const option of select.options) {
      if (!option.value) continue;
      const installed = extras === null || extras.includes(option.value);
      const name = info.clouds.find((cloud) => cloud.id === option.value)?.name ?? option.value;
      option.disabled = !installed;
      option.textContent = installed ? name : `${name} (add it first)`;
    }
    if (select.selectedOptions[0]?.disabled) select.value = '';
  },
);

/** The request the form asks for. @param {HTMLFormElement} form */
export function launchRequest(form) {
  const fields = new FormData(form);
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
      ? { idle_minutes: Number(fields.get('idle_minutes') ?? 60), down: fields.get('idle_action') === 'down' }
      : null;
  return request;
}
