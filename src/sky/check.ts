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
 * A full check prints every cloud SkyPilot registers and the storage-only ones, sorted by name.
 * Cloud names may hold spaces and parentheses (older versions named R2 "Cloudflare
 * (for R2 object store)"); a reason's continuation lines may be indented by only 4 spaces.
 */
import type {
  CloudCheck,
  CloudReason,
  DisabledCloud,
  DisabledCloudAdvice,
  EnabledCloud,
  WorkspaceInfra,
} from '../api.js';
import { extraOfCloud, needsOwnLibraries } from './clouds.js';
import { plainLines } from './text.js';

const CLOUD = /^ {2}(\S.*?): (enabled|disabled)(?: \[([^\]]*)\])?\s*$/;
const DETAIL = /^ {4,}(Reason|Hint)(?: \[([^\]]*)\])?: (.*)$/;
const SUMMARY = /^\S+ Enabled (?:infra|clouds)(?: for workspace: '([^']+)')? \S+\s*$/;
const SUMMARY_CLOUD = /^ {2}(\S.*?) \[([^\]]*)\]\s*$/;
/** GCP's reason when `gcloud` is not on PATH: the newest gcp.py's RuntimeError, or older ones' failed `gcloud --version`. */
const GCLOUD_MISSING = /Missing `gcloud` cli dependency|gcloud --version/;

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
    // SkyPilot's own Reason and Hint lines name their capabilities (old versions' single `Reason:` comes
    // right after the cloud's line, with no reason open); one without them inside a reason is that
    // reason's own text: Paperspace's ends with `    Reason: <error>` (sky/clouds/paperspace.py).
    if (detail && !(reason && detail[2] === undefined)) {
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
 * Whether SkyPilot's reason asks for a `pip install` of libraries that Carapace's SkyPilot
 * does not have. boto3, which the S3-like storage clouds name (sky/adaptors/cloudflare.py,
 * coreweave.py, nebius.py), comes with the aws extra: with it, their reason is their
 * credentials, and stays SkyPilot's.
 */
function lacksLibraries(said: string, installedExtras: string[]): boolean {
  const wanted = [...said.matchAll(/pip install (\S+)/gi)].map((match) => match[1]);
  return wanted.some((name) => name !== 'boto3' || !installedExtras.includes('aws'));
}

/**
 * Whether a reason says that the cloud's libraries are missing or failed to load, in its
 * first line ("GCP tools are not installed.", "Failed to import runpod or TOML parser.
 * Install: pip install ...", "`oci` is not installed."). A `pip install` further down is a
 * step of setting up credentials ("$ pip install runpod", "$ runpod config" in runpod.py;
 * boto3 for the S3-like storage of nebius.py), not a sign of broken libraries.
 */
function librariesFail(reasons: readonly { text: string }[]): boolean {
  return reasons.some(({ text }) =>
    /not installed|failed to import|ModuleNotFoundError|ImportError|pip install/i.test(text.split('\n')[0] ?? ''),
  );
}

/** Whose clouds a check reports, and what Carapace can do about a disabled one. */
export interface CheckContext {
  /** The extras of Carapace's own SkyPilot; null for a sky on PATH (installed outside Carapace). */
  installedExtras: string[] | null;
  /** A team's API server checked the clouds (with its own libraries and credentials), at this address (shown). */
  teamServer: string | null;
  /** The AWS CLI of Carapace's cloud tools as the user can run it, when `aws` is not on their PATH (environment.ts). */
  awsCli?: string | null;
}

/** A step of SkyPilot's that runs the AWS CLI: "$ aws configure", "$ AWS_SHARED_CREDENTIALS_FILE=… aws configure …". */
const AWS_COMMAND = /^\s*\$ (?:[A-Z_]+=\S+ )*aws /m;

/** SkyPilot's own words, with where its `aws` is when the user's PATH has none. */
function ownWords(cloud: DisabledCloud, awsCli: string | null | undefined): DisabledCloudAdvice {
  if (!awsCli || !cloud.reasons.some((reason) => AWS_COMMAND.test(reason.text)))
    return { ...cloud, missing_extra: null };
  const note = `The aws command above came with Carapace's cloud tools and is not on your PATH: run it as ${awsCli} (for example, ${awsCli} configure).`;
  return {
    ...cloud,
    missing_extra: null,
    reasons: cloud.reasons.map((reason) =>
      AWS_COMMAND.test(reason.text) ? { ...reason, text: `${reason.text}\n${note}` } : reason,
    ),
  };
}

/**
 * A disabled cloud in Carapace's words. SkyPilot tells a user whose cloud libraries
 * are missing to `pip install` something, which a Carapace user cannot (and should
 * not) do, so:
 * - with a team's API server, the check ran there: its admin enables clouds (nothing
 *   to add here, missing_extra null);
 * - a cloud whose extra (with libraries of its own) Carapace's SkyPilot lacks, whatever
 *   SkyPilot says first (Azure asks for a login before it looks for its libraries):
 *   Add <cloud> installs it;
 * - GCP with its libraries but without `gcloud` on PATH: Google's CLI is what is
 *   missing, not the libraries. sky/clouds/gcp.py says so in two ways: the newest
 *   raises "Missing `gcloud` cli dependency." (shutil.which), older ones report
 *   `gcloud --version` failing; Azure's `az` comes with its extra (sky/environment.ts
 *   puts it on PATH): Repair if it fails;
 * - libraries installed that fail to load: Repair;
 * - a cloud Carapace does not offer, whose libraries its SkyPilot lacks (Vast, Cudo,
 *   HuggingFace…): it cannot be used from Carapace yet;
 * - anything else (credentials): SkyPilot's own words, and where its `aws` is when a step
 *   runs it and the user's PATH has none (the aws extra puts it beside sky only).
 */
export function inCarapaceWords(
  check: CloudCheck,
  { installedExtras, teamServer, awsCli }: CheckContext,
): DisabledCloudAdvice[] {
  return check.disabled.map((cloud) => {
    const capabilities = [...new Set(cloud.reasons.flatMap((reason) => reason.capabilities))];
    const advice = (text: string, missing: string | null = null): DisabledCloudAdvice => ({
      name: cloud.name,
      missing_extra: missing,
      reasons: [{ capabilities, text }],
    });
    const said = cloud.reasons.map((reason) => reason.text).join('\n');
    const extra = extraOfCloud(cloud.name);
    if (teamServer !== null) {
      return advice(
        `${cloud.name} is not enabled on the team's SkyPilot API server (${teamServer}): clouds are enabled there, by the server's admin, with its own libraries and credentials. Ask them to enable ${cloud.name}.`,
      );
    }
    if (installedExtras === null) {
      return /pip install/i.test(said)
        ? advice(
            `The SkyPilot found on PATH (installed outside Carapace) lacks its libraries for ${cloud.name}. Add them to that SkyPilot, or take it off PATH so that Carapace installs its own.`,
          )
        : { ...cloud, missing_extra: null };
    }
    if (extra !== null && needsOwnLibraries(extra) && !installedExtras.includes(extra)) {
      return advice(
        `SkyPilot's libraries for ${cloud.name} are not part of Carapace's cloud tools yet. Add ${cloud.name} to install them.`,
        extra,
      );
    }
    if (GCLOUD_MISSING.test(said)) {
      return advice(
        "SkyPilot's libraries for GCP are installed, but SkyPilot also runs Google's `gcloud` command, which is not on this machine's PATH. Install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), make sure `gcloud` is on the PATH Carapace starts with, restart Carapace, then check again.",
      );
    }
    if (/az --version/.test(said)) {
      return advice(
        "SkyPilot runs Azure's `az` command, which comes with its libraries for Azure, and could not run it. Repair the cloud tools, then check again.",
      );
    }
    if (extra !== null && librariesFail(cloud.reasons)) {
      return advice(
        `SkyPilot could not load its libraries for ${cloud.name}. Repair the cloud tools, then check again.`,
      );
    }
    if (extra === null && lacksLibraries(said, installedExtras)) {
      return advice(
        `SkyPilot's libraries for ${cloud.name} are not among those Carapace installs: ${cloud.name} cannot be used from Carapace yet.`,
      );
    }
    return ownWords(cloud, awsCli);
  });
}
