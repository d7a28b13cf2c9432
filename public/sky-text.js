// @ts-check
/**
 * What sky prints, in a user's words: a server's status and resources as `sky status`
 * shows them (sky/utils/cli_utils/status_utils.py; fixtures in
 * test/fixtures/real/sky-status-*.txt), and the machine a preview chose from the table
 * `sky launch --dryrun` prints (sky/optimizer.py; test/fixtures/real/sky-launch-dryrun.txt).
 */

/**
 * SkyPilot's cluster statuses (sky/utils/status_lib.py, ClusterStatus), in plain words.
 * @type {Record<string, string>}
 */
const STATUS_WORDS = {
  INIT: 'Starting',
  UP: 'Running',
  STOPPED: 'Stopped',
  AUTOSTOPPING: 'Stopping',
  PENDING: 'Waiting',
};

/** @param {string} status */
export function statusWord(status) {
  return STATUS_WORDS[status] ?? (status ? status[0]?.toUpperCase() + status.slice(1).toLowerCase() : 'Unknown');
}

/**
 * "1x(cpus=2, mem=8, m6i.large, ...)" -> "2 vCPU · 8 GB · m6i.large"; "1x(gpus=L4:1, ...)" leads with the GPU.
 * Anything else is shown as sky printed it.
 * @param {string} resources
 */
export function resourcesText(resources) {
  const match = /^(\d+)x\s*\((.*)\)$/.exec(resources.trim());
  if (!match) return resources;
  const parts = [];
  let instance = '';
  for (const item of (match[2] ?? '').split(',').map((each) => each.trim())) {
    const [key, value] = item.split('=');
    if (value === undefined) {
      if (item && item !== '...') instance = item;
    } else if (key === 'gpus') parts.unshift(value.replace(/:(\d+)$/, ' ×$1'));
    else if (key === 'cpus') parts.push(`${value} vCPU`);
    else if (key === 'mem') parts.push(`${value} GB`);
  }
  if (instance) parts.push(instance);
  const nodes = Number(match[1]);
  return `${nodes > 1 ? `${nodes} nodes: ` : ''}${parts.join(' · ') || resources}`;
}

/** What autostop does to a server, from sky status's AUTOSTOP column ("60m", "10m (down)", "-"). @param {string} autostop */
export function autostopText(autostop) {
  const minutes = /^(\d+)m/.exec(autostop)?.[1];
  if (!minutes) return 'runs until torn down';
  return autostop.includes('(down)') ? `torn down after ${minutes} min` : `stopped after ${minutes} min`;
}

/**
 * A row of the preview's table in words. Columns are cut where the header's are (two or
 * more spaces apart); a row whose spaces were squeezed to one (Carapace's server does so
 * on lines with a pictograph, such as CHOSEN's "✔") is cut by words, the first column
 * taking the words left over ("AWS (us-east-1)").
 * @param {string} header the table's header ("INFRA  INSTANCE  vCPUs  Mem(GB)  GPUS  COST ($)  CHOSEN")
 * @param {string} line one of its rows
 */
export function previewChoice(header, line) {
  const names = header
    .trim()
    .split(/\s{2,}/)
    .filter((name) => name !== 'CHOSEN');
  const text = line.replace('✔', '').trim();
  let cells = text.split(/\s{2,}/);
  if (cells.length < names.length) {
    const words = text.split(/\s+/);
    const extra = words.length - names.length;
    if (extra < 0) return null;
    cells = [words.slice(0, extra + 1).join(' '), ...words.slice(extra + 1)];
  }
  /** @type {Record<string, string>} */
  const row = Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  const where = row.INFRA || [row.CLOUD, row['REGION/ZONE']].filter(Boolean).join(' ');
  const size = [row.vCPUs && `${row.vCPUs} vCPU`, row['Mem(GB)'] && `${row['Mem(GB)']} GB`].filter(Boolean).join(', ');
  const gpus = row.GPUS || row.ACCELERATORS;
  const extra = gpus && gpus !== '-' && gpus !== '{}' ? `, ${gpus}` : '';
  const cost = row['COST ($)'] ? `, about $${row['COST ($)']} per hour` : '';
  return `${row.INSTANCE || 'a machine'} (${size}${extra}) in ${where || 'the cheapest place'}${cost}`;
}
