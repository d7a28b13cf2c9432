/**
 * Parses `sky check` (sky/check.py: check_capabilities, _print_checked_cloud,
 * _summary_message; fixtures in test/fixtures/real/sky-check-*.txt):
 *
 *   Checking credentials to enable infra for SkyPilot.
 *     AWS: enabled [compute, storage]
 *     GCP: disabled
 *       Reason [compute, storage]: GCP tools are not installed. Run the following commands:
 *           $ pip install google-api-python-client
 *
 *   🎉 Enabled infra 🎉
 *     AWS [compute, storage]
 *
 * With several workspaces the first line names them, and without -v only the
 * summary of each workspace is printed (`🎉 Enabled infra for workspace: 'x' 🎉`).
 * Cloud names may hold spaces and parentheses ("Cloudflare (for R2 object store)");
 * a reason's continuation lines may be indented by only 4 spaces.
 */
import type {
  CloudCheck,
  CloudReason,
  DisabledCloud,
  DisabledCloudAdvice,
  EnabledCloud,
  WorkspaceInfra,
} from '../api.js';
import { extraOfCloud } from './clouds.js';
import { plainLines } from './text.js';

const CLOUD = /^ {2}(\S.*?): (enabled|disabled)(?: \[([^\]]*)\])?\s*$/;
const DETAIL = /^ {4,}(Reason|Hint)(?: \[([^\]]*)\])?: (.*)$/;
const SUMMARY = /^\S+ Enabled (?:infra|clouds)(?: for workspace: '([^']+)')? \S+\s*$/;
const SUMMARY_CLOUD = /^ {2}(\S.*?) \[([^\]]*)\]\s*$/;

export function parseSkyCheck(text: string): CloudCheck {
  const enabled: EnabledCloud[] = [];
  const disabled: DisabledCloud[] = [];
  const workspaces: WorkspaceInfra[] = [];
  let started = false;
  let reason: CloudReason | null = null;
  let cloud: DisabledCloud | null = null;
  let summary: WorkspaceInfra | null = null;
  for (const line of plainLines(text)) {
    if (!started) {
      started = line.startsWith('Checking credentials');
      continue;
    }
    const header = SUMMARY.exec(line);
    if (header) {
      summary = { workspace: header[1] ?? 'default', enabled: [] };
      workspaces.push(summary);
      reason = null;
      continue;
    }
    if (summary) {
      const entry = SUMMARY_CLOUD.exec(line);
      if (entry) summary.enabled.push({ name: entry[1] ?? '', capabilities: splitList(entry[2]) });
      else if (!/^ {2}/.test(line)) summary = null; // the block ends with its first unindented line
      continue;
    }
    const checked = CLOUD.exec(line);
    if (checked) {
      const [, name = '', state, capabilities] = checked;
      reason = null;
      cloud = null;
      if (state === 'enabled') enabled.push({ name, capabilities: splitList(capabilities) });
      else {
        cloud = { name, reasons: [] };
        disabled.push(cloud);
      }
      continue;
    }
    const detail = DETAIL.exec(line);
    if (detail) {
      reason = null;
      if (detail[1] === 'Reason' && cloud) {
        reason = { capabilities: splitList(detail[2]), text: (detail[3] ?? '').trim() };
        cloud.reasons.push(reason);
      }
      continue;
    }
    if (reason && /^ {4,}\S/.test(line)) {
      reason.text = `${reason.text}\n${line.trim()}`;
      continue;
    }
    if (line.trim() === '' || !line.startsWith(' ')) reason = null;
  }
  if (enabled.length === 0 && disabled.length === 0) {
    // Several workspaces and no per-cloud lines: what is enabled comes from the summaries.
    for (const workspace of workspaces) {
      for (const entry of workspace.enabled) {
        if (!enabled.some((known) => known.name === entry.name)) enabled.push(entry);
      }
    }
  }
  return { enabled, disabled, workspaces, raw: text };
}

function splitList(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * SkyPilot tells a user whose cloud libraries are missing to `pip install`
 * something, which a Carapace user cannot (and should not) do: the fix is to add
 * the cloud's extra to Carapace's install. Such reasons are replaced.
 */
export function inCarapaceWords(check: CloudCheck, installedExtras: string[] | null): DisabledCloudAdvice[] {
  return check.disabled.map((cloud) => {
    if (!cloud.reasons.some((reason) => /pip install/i.test(reason.text))) return { ...cloud, missing_extra: null };
    const extra = extraOfCloud(cloud.name);
    const capabilities = [...new Set(cloud.reasons.flatMap((reason) => reason.capabilities))];
    let text: string;
    let missing: string | null = null;
    if (installedExtras === null) {
      text = `The SkyPilot found on PATH (installed outside Carapace) lacks its libraries for ${cloud.name}. Add them to that SkyPilot, or take it off PATH so that Carapace installs its own.`;
    } else if (extra !== null && !installedExtras.includes(extra)) {
      missing = extra;
      text = `SkyPilot's libraries for ${cloud.name} are not part of Carapace's cloud tools yet. Add ${cloud.name} to install them.`;
    } else {
      text = `SkyPilot could not load its libraries for ${cloud.name}. Repair the cloud tools, then check again.`;
    }
    return { name: cloud.name, missing_extra: missing, reasons: [{ capabilities, text }] };
  });
}
