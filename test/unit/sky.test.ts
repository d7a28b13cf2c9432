// The parsers of sky's output, each on the real output in test/fixtures/real/.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inCarapaceWords, parseSkyCheck } from '../../src/sky/check.js';
import { ADDABLE_CLOUD_IDS, CLOUDS, extraOfCloud, SKYPILOT_CLOUD_EXTRAS } from '../../src/sky/clouds.js';
import { parseSkyDown } from '../../src/sky/down.js';
import { awsCliForUser } from '../../src/sky/environment.js';
import { skyFailure } from '../../src/sky/failure.js';
import { parseLaunchRequestId, wasCancelled } from '../../src/sky/launch.js';
import { parseApiStatus } from '../../src/sky/requests.js';
import { parseSkyStatus, SkyOutputError } from '../../src/sky/status.js';
import { displayText, plainText } from '../../src/sky/text.js';
import { LOCAL_API_SERVER, resolveApiServer } from '../../src/status/api-server.js';
import { realOutput, realOutputNames } from '../support/real.js';

const ENDPOINT = { ENDPOINT: 'http://127.0.0.1:46580' };
const LOCAL = { sky: '/home/u/.carapace/tools/bin/sky', endpoint: resolveApiServer({}, null, '/home/u/.carapace') };
const MANAGED = { installedExtras: ['aws'], teamServer: null };

describe('the real-output fixtures', () => {
  it('each name its program and its version, its upstream source and an exit status, and hold output', () => {
    for (const name of realOutputNames()) {
      const output = realOutput(name);
      // A release (1.0.0.dev20261120, 0.12.5, 3.12) or a commit: a line no version printed has no place here.
      expect(output.program, name).toMatch(/\b\d+\.\d+|\b[0-9a-f]{8}\b/);
      expect(output.source, name).toMatch(/\S/);
      expect(Number.isInteger(output.exit), name).toBe(true);
      expect(output.stdout + output.stderr, name).toMatch(/\S/);
    }
  });
});

describe('the clouds offered', () => {
  it('are added only by a real extra of sky/setup_files/dependencies.py, and named as sky check names them', () => {
    expect(ADDABLE_CLOUD_IDS.length).toBeGreaterThan(0);
    for (const id of ADDABLE_CLOUD_IDS) expect(SKYPILOT_CLOUD_EXTRAS, id).toContain(id);
    for (const cloud of CLOUDS) expect(cloud.addable, cloud.id).toBe(SKYPILOT_CLOUD_EXTRAS.includes(cloud.id));
    // The names `sky check` printed (sky/clouds/<cloud>.py, _REPR) lead to the extra that adds them.
    const names = parseSkyCheck(realOutput('sky-check-nothing-enabled', ENDPOINT).stdout).disabled.map(
      (cloud) => cloud.name,
    );
    for (const cloud of CLOUDS) {
      expect(names, cloud.id).toContain(cloud.name);
      expect(extraOfCloud(cloud.name), cloud.id).toBe(cloud.addable ? cloud.id : null);
    }
    // The storage-only clouds have no extra Carapace offers.
    expect(extraOfCloud('Cloudflare')).toBeNull();
    expect(extraOfCloud('HuggingFace')).toBeNull();
  });
});

/** Every cloud a full `sky check` prints (sky/check.py, get_all_clouds), sorted by name as it prints them. */
const ALL_CLOUDS = [
  'AWS',
  'Azure',
  'Cloudflare',
  'CoreWeave',
  'Cudo',
  'Fluidstack',
  'GCP',
  'HuggingFace',
  'Hyperbolic',
  'IBM',
  'Kubernetes',
  'Lambda',
  'Mithril',
  'Nebius',
  'OCI',
  'Paperspace',
  'PrimeIntellect',
  'RunPod',
  'SCP',
  'Seeweb',
  'Shadeform',
  'Slurm',
  'Vast',
  'VastData',
  'Verda',
  'Yotta',
  'vSphere',
];

describe('parseSkyCheck', () => {
  it('reads enabled clouds and disabled ones with every reason line, colours removed', () => {
    const check = parseSkyCheck(realOutput('sky-check-aws-enabled', ENDPOINT).stdout);
    expect(check.enabled).toEqual([{ name: 'AWS', capabilities: ['compute', 'storage'] }]);
    expect(check.disabled.map((cloud) => cloud.name)).toEqual(ALL_CLOUDS.filter((name) => name !== 'AWS'));
    expect(check.disabled.find((cloud) => cloud.name === 'GCP')?.reasons).toEqual([
      {
        capabilities: ['compute', 'storage'],
        text: [
          'GCP tools are not installed. Run the following commands:',
          '$ pip install google-api-python-client',
          '$ conda install -c conda-forge google-cloud-sdk -y',
          'If gcloud was recently installed with wget, API server may need to be restarted with following commands:',
          '$ sky api stop; sky api start',
          'Credentials may also need to be set. Run the following commands:',
          '$ gcloud init',
          '$ gcloud auth application-default login',
          'For more info: https://docs.skypilot.co/en/latest/getting-started/installation.html#google-cloud-platform-gcp',
          "Details: [ModuleNotFoundError] No module named 'google'",
        ].join('\n'),
      },
    ]);
    expect(check.workspaces).toEqual([
      { workspace: 'default', enabled: [{ name: 'AWS', capabilities: ['compute', 'storage'] }] },
    ]);
  });

  it('reads every cloud of a full check with its own capabilities: compute, storage or both, one reason for each', () => {
    const check = parseSkyCheck(realOutput('sky-check-nothing-enabled', ENDPOINT).stdout);
    expect(check.disabled.map((cloud) => cloud.name)).toEqual(ALL_CLOUDS);
    const reasons = (name: string) => check.disabled.find((cloud) => cloud.name === name)?.reasons ?? [];
    expect(reasons('CoreWeave').map((reason) => reason.capabilities)).toEqual([['storage']]);
    expect(reasons('Cudo').map((reason) => reason.capabilities)).toEqual([['compute']]);
    expect(reasons('Verda').map((reason) => reason.capabilities)).toEqual([['compute', 'storage']]);
    // nebius.py checks each capability on its own: two reasons.
    expect(reasons('Nebius').map((reason) => reason.capabilities)).toEqual([['compute'], ['storage']]);
    // paperspace.py's own text ends with a `Reason:` line of its own: still the one reason.
    expect(reasons('Paperspace')).toEqual([
      {
        capabilities: ['compute'],
        text: [
          'Failed to access Paperspace Cloud with credentials.',
          'To configure credentials, follow the instructions at: https://docs.skypilot.co/en/latest/getting-started/installation.html#paperspace',
          'Generate API key and create a json at `~/.paperspace/config.json` with',
          '{"apiKey": "[YOUR API KEY]"}',
          'Reason: Credentials not found',
        ].join('\n'),
      },
    ]);
  });

  it('keeps continuation lines indented by only 4 spaces', () => {
    const gcp = parseSkyCheck(realOutput('sky-check-aws-enabled-gcp-installed', ENDPOINT).stdout).disabled.find(
      (cloud) => cloud.name === 'GCP',
    );
    expect(gcp?.reasons[0]?.text.split('\n').at(-1)).toBe(
      'Details: [google.auth.exceptions.DefaultCredentialsError] Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.',
    );
  });

  it('reads a check with nothing enabled', () => {
    const check = parseSkyCheck(realOutput('sky-check-nothing-enabled', ENDPOINT).stdout);
    expect(check.enabled).toEqual([]);
    expect(check.disabled[0]).toMatchObject({ name: 'AWS', reasons: [{ capabilities: ['compute', 'storage'] }] });
    // sky/clouds/aws.py: _STATIC_CREDENTIAL_HELP_STR, then what `aws sts get-caller-identity` raised.
    expect(check.disabled[0]?.reasons[0]?.text.split('\n')).toEqual([
      'AWS credentials are not set. Run the following commands:',
      '$ aws configure',
      '$ aws configure list  # Ensure that this shows identity is set.',
      'For more info: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-quickstart.html',
      'Details: `aws sts get-caller-identity` failed with error: [botocore.exceptions.NoCredentialsError] Unable to locate credentials.',
    ]);
    expect(check.workspaces).toEqual([{ workspace: 'default', enabled: [] }]);
  });

  it("reads Azure's reason when `az` cannot run, its exception named without brackets (azure.py)", () => {
    const check = parseSkyCheck(realOutput('sky-check-azure-no-az', ENDPOINT).stdout);
    expect(check.disabled[0]?.reasons[0]?.text.split('\n').at(-1)).toBe(
      "Details: subprocess.CalledProcessError: Command 'az --version' returned non-zero exit status 127.",
    );
    const [azure] = inCarapaceWords(check, { installedExtras: ['aws', 'azure'], teamServer: null });
    expect(azure).toMatchObject({ missing_extra: null, reasons: [{ text: expect.stringContaining('Repair') }] });
  });

  it('reads several workspaces, whose summaries come after a blank line', () => {
    const check = parseSkyCheck(realOutput('sky-check-workspaces', ENDPOINT).stdout);
    expect(check.workspaces).toEqual([
      { workspace: 'default', enabled: [{ name: 'AWS', capabilities: ['compute', 'storage'] }] },
      { workspace: 'team-a', enabled: [] },
    ]);
    expect(check.enabled).toEqual([{ name: 'AWS', capabilities: ['compute', 'storage'] }]);
    expect(check.disabled).toEqual([]);
  });

  it('reads hints, and contexts under an enabled cloud', () => {
    const check = parseSkyCheck(realOutput('sky-check-kubernetes-cloudflare', ENDPOINT).stdout);
    expect(check.enabled).toEqual([
      { name: 'AWS', capabilities: ['compute', 'storage'] },
      { name: 'Kubernetes', capabilities: ['compute'] },
    ]);
    expect(check.disabled.map((cloud) => cloud.name)).toEqual(
      ALL_CLOUDS.filter((name) => name !== 'AWS' && name !== 'Kubernetes'),
    );
    expect(check.disabled.find((cloud) => cloud.name === 'Cloudflare')).toMatchObject({
      // cloudflare.py checks compute as storage: one reason for both.
      reasons: [{ capabilities: ['compute', 'storage'] }],
    });
    expect(check.workspaces[0]?.enabled.map((cloud) => cloud.name)).toEqual(['AWS', 'Kubernetes']);
  });

  it("replaces SkyPilot's pip-install advice with what to do in Carapace", () => {
    const check = parseSkyCheck(realOutput('sky-check-aws-enabled', ENDPOINT).stdout);
    const advice = inCarapaceWords(check, MANAGED);
    const gcp = advice.find((cloud) => cloud.name === 'GCP');
    expect(gcp?.missing_extra).toBe('gcp');
    expect(gcp?.reasons).toEqual([
      {
        capabilities: ['compute', 'storage'],
        text: "SkyPilot's libraries for GCP are not part of Carapace's cloud tools yet. Add GCP to install them.",
      },
    ]);
    // Of every cloud: the only pip install left is boto3's, in the storage clouds' credential steps
    // (SkyPilot's words: boto3 comes with the aws extra, installed here).
    expect(advice).toHaveLength(check.disabled.length);
    for (const cloud of advice) {
      const said = cloud.reasons.map((reason) => reason.text).join('\n');
      for (const [, name] of said.matchAll(/pip install (\S+)/g)) expect(name, cloud.name).toBe('boto3');
    }
    // A cloud Carapace does not offer, whose libraries SkyPilot lacks: not usable here yet, said so.
    for (const name of ['Vast', 'HuggingFace', 'Cudo', 'vSphere']) {
      expect(advice.find((cloud) => cloud.name === name)?.reasons[0]?.text, name).toBe(
        `SkyPilot's libraries for ${name} are not among those Carapace installs: ${name} cannot be used from Carapace yet.`,
      );
    }
    // Its credentials are what Cloudflare lacks: SkyPilot's words.
    expect(advice.find((cloud) => cloud.name === 'Cloudflare')?.reasons[0]?.text).toContain(
      'aws configure --profile r2',
    );
    // Azure asks for a login first (its token cache), yet its libraries are what is missing here.
    expect(advice.find((cloud) => cloud.name === 'Azure')?.missing_extra).toBe('azure');
    expect(advice.find((cloud) => cloud.name === 'Kubernetes')?.missing_extra).toBe('kubernetes');
    // Lambda's extra brings no library (dependencies.py: []): its credentials are what is missing.
    expect(advice.find((cloud) => cloud.name === 'Lambda')).toMatchObject({
      missing_extra: null,
      reasons: [{ text: expect.stringContaining('Failed to access Lambda Cloud with credentials') }],
    });
    expect(
      inCarapaceWords(check, { installedExtras: null, teamServer: null }).find((cloud) => cloud.name === 'GCP')
        ?.reasons[0]?.text,
    ).toContain('found on PATH');
  });

  it("keeps SkyPilot's words when a `pip install` is a step of setting up credentials, not broken libraries", () => {
    const nebius = inCarapaceWords(parseSkyCheck(realOutput('sky-check-nebius-no-credentials', ENDPOINT).stdout), {
      installedExtras: ['aws', 'nebius'],
      teamServer: null,
    });
    // nebius.py's storage reason asks for `pip install boto3` before `aws configure --profile nebius`.
    expect(nebius[0]?.reasons.map((reason) => reason.text.split('\n')[0])).toEqual([
      'Credentials can be set up by running:',
      '[nebius] profile is not set in ~/.aws/credentials. Run the following commands:',
    ]);
    const oci = inCarapaceWords(parseSkyCheck(realOutput('sky-check-oci-not-installed', ENDPOINT).stdout), {
      installedExtras: ['aws', 'oci'],
      teamServer: null,
    });
    // Installed, yet SkyPilot cannot find `oci`: the install is broken.
    expect(oci[0]?.reasons[0]?.text).toBe(
      'SkyPilot could not load its libraries for OCI. Repair the cloud tools, then check again.',
    );
  });

  it.each([
    ['the newest SkyPilot (shutil.which)', 'sky-check-gcp-no-gcloud'],
    ['older SkyPilots (gcloud --version)', 'sky-check-gcp-no-gcloud-old'],
  ])("says that Google's gcloud is missing, not the libraries, when the gcp extra is installed: %s", (_, fixture) => {
    const check = parseSkyCheck(realOutput(fixture, ENDPOINT).stdout);
    const [gcp] = inCarapaceWords(check, { installedExtras: ['aws', 'gcp'], teamServer: null });
    expect(gcp?.missing_extra).toBeNull();
    expect(gcp?.reasons[0]?.text).toContain('Install the Google Cloud CLI');
    expect(gcp?.reasons[0]?.text).not.toContain('Repair');
  });

  it("with a team's API server, adds nothing here and says that the server's admin enables clouds", () => {
    const check = parseSkyCheck(realOutput('sky-check-kubernetes-cloudflare', ENDPOINT).stdout);
    const advice = inCarapaceWords(check, { installedExtras: ['aws'], teamServer: 'https://sky.corp.example' });
    expect(advice).toHaveLength(check.disabled.length);
    expect(new Set(advice.map((cloud) => cloud.missing_extra))).toEqual(new Set([null]));
    expect(advice[0]?.reasons[0]?.text).toContain("by the server's admin");
    expect(advice[0]?.reasons[0]?.text).toContain('https://sky.corp.example');
  });
});

describe('parseSkyStatus', () => {
  it('reads every cluster, cells with spaces included, and stops before the next section', () => {
    expect(parseSkyStatus(realOutput('sky-status-clusters').stdout)).toEqual([
      {
        name: 'web-1',
        infra: 'AWS (us-east-1a)',
        resources: '1x(cpus=2, mem=8, m6i.large, ...)',
        status: 'UP',
        autostop: '60m',
        launched: '2 mins ago',
        workspace: null,
        user: null,
      },
      {
        name: 'train-gpu',
        infra: 'GCP (us-central1-a)',
        resources: '1x(gpus=L4:1, cpus=4, mem=16, ...)',
        status: 'INIT',
        autostop: '-',
        launched: 'just now',
        workspace: null,
        user: null,
      },
      {
        name: 'db.backup-2',
        infra: 'AWS (us-west-2b)',
        resources: '1x(cpus=4, mem=16, m6i.xlarge, ...)',
        status: 'STOPPED',
        autostop: '10m (down)',
        launched: '3 days ago',
        workspace: null,
        user: null,
      },
    ]);
  });

  it('finds the columns by name when a WORKSPACE column comes first', () => {
    expect(parseSkyStatus(realOutput('sky-status-workspaces').stdout)).toMatchObject([
      { name: 'web-1', workspace: 'default', infra: 'AWS (us-east-1a)', status: 'UP', autostop: '-' },
      { name: 'shared-db', workspace: 'team-a', infra: 'AWS (eu-west-1b)', status: 'UP', autostop: '120m' },
    ]);
  });

  it('reads no clusters, and a named cluster that is not there', () => {
    expect(parseSkyStatus(realOutput('sky-status-none').stdout)).toEqual([]);
    expect(parseSkyStatus(realOutput('sky-status-not-found', { NAME: 'web-1' }).stdout)).toEqual([]);
  });

  it("reads whose each cluster is from sky status -u's USER column", () => {
    expect(parseSkyStatus(realOutput('sky-status-users').stdout)).toMatchObject([
      { name: 'alice-1', user: 'alice', infra: 'AWS (us-east-1a)', status: 'UP' },
      { name: 'bob-1', user: 'bob', status: 'INIT', autostop: '30m' },
    ]);
  });

  it('reads the old (0.6) table by its header names too', () => {
    expect(parseSkyStatus(realOutput('sky-status-old-0.6').stdout)).toMatchObject([
      { name: 'web-1', status: 'UP', infra: '' },
    ]);
  });

  it('reads the table, not the autostop hint printed after it (command.py at f05838b4, status)', () => {
    const all = realOutput('sky-status-clusters').stdout;
    expect(plainText(all)).toContain('* 1 cluster has auto{stop,down} scheduled.');
    expect(parseSkyStatus(all).map((cluster) => cluster.name)).toEqual(['web-1', 'train-gpu', 'db.backup-2']);
    // With names given, the table is the last thing before the hint.
    const named =
      `${plainText(all).split('\n\nManaged jobs')[0]}\n` +
      realOutput('sky-status-autostop-hint', { PENDING: '1 cluster has' }).stdout;
    expect(parseSkyStatus(named).map((cluster) => cluster.name)).toEqual(['web-1', 'train-gpu', 'db.backup-2']);
  });

  it('refuses output with no table instead of answering "no clusters"', () => {
    expect(() => parseSkyStatus(realOutput('sky-api-mismatch').stderr)).toThrow(SkyOutputError);
    expect(() => parseSkyStatus('Clusters\nsomething unexpected\n')).toThrow(SkyOutputError);
  });
});

describe('parseSkyDown', () => {
  it('tells done, not found and the failures that exit 0 apart', () => {
    const down = (name: string) => parseSkyDown('web-1', realOutput(name, { NAME: 'web-1' }).stdout, '');
    expect(down('sky-down-done')).toEqual({ outcome: 'done' });
    expect(down('sky-down-not-found')).toEqual({ outcome: 'not-found' });
    expect(down('sky-down-failed-runtime')).toEqual({
      outcome: 'failed',
      reason:
        "RuntimeError: Failed to terminate 'web-1'. If you want to ignore this error and remove the cluster from the status table, use `sky down --purge`.",
    });
    expect(down('sky-down-failed-owner')).toEqual({
      outcome: 'failed',
      reason: "'web-1' (AWS) is owned by account '111111111111', but the activated account is '222222222222'.",
    });
    for (const failed of ['sky-down-failed-runtime', 'sky-down-failed-owner']) {
      expect(realOutput(failed).exit, failed).toBe(0);
    }
  });
});

describe('launch and its request', () => {
  it('reads the request id an async launch prints', () => {
    const id = '2165a370-eb42-46c3-ad9f-373fd7a4e63f';
    const submitted = realOutput('sky-launch-async', { REQUEST_ID: id, SHORT_ID: id.slice(0, 8), ...ENDPOINT });
    expect(parseLaunchRequestId(submitted.stdout)).toBe(id);
    expect(parseLaunchRequestId(realOutput('sky-launch-dryrun').stdout)).toBeNull();
  });

  it("takes only an id of SkyPilot's shape, never one that sky would read as an option", () => {
    for (const printed of ['--all-users', '-a', '2165a370', 'x; rm -rf /', '2165A370-EB42-46C3-AD9F-373FD7A4E63F']) {
      expect(parseLaunchRequestId(`Submitted sky.launch request: ${printed}\n`), printed).toBeNull();
    }
  });

  it('reads the requests sky api status lists, and none from its row of dashes', () => {
    expect(parseApiStatus(realOutput('sky-api-status').stdout)).toEqual([
      { id: '2165a370-eb42-46c3-ad9f-373fd7a4e63f', user: 'alice', name: 'sky.launch', status: 'RUNNING' },
      { id: '9d0f4c1e-7b7a-4f0e-9a55-0c2e51c3b1aa', user: 'alice', name: 'sky.down', status: 'PENDING' },
    ]);
    expect(parseApiStatus(realOutput('sky-api-status-none').stdout)).toEqual([]);
    expect(parseApiStatus(realOutput('sky-api-mismatch').stderr)).toBeNull();
  });

  it('recognizes a cancelled request', () => {
    const cancelled = realOutput('sky-api-logs-cancelled', { REQUEST_ID: 'x' });
    expect(wasCancelled(cancelled.stdout, cancelled.stderr)).toBe(true);
    expect(wasCancelled(realOutput('sky-launch-logs').stdout, '')).toBe(false);
  });
});

describe('skyFailure', () => {
  it('gives a version mismatch of the local API server its own code and a fix', () => {
    expect(skyFailure('The cloud check', '', realOutput('sky-api-mismatch').stderr, LOCAL)).toEqual({
      code: 'sky-api-mismatch',
      message: "The cloud check failed: SkyPilot's local API server is still running an older version of SkyPilot.",
      hint: 'Click Repair: it stops the old API server and reinstalls, and the next action starts a matching one.',
    });
  });

  it("does not take sky's note that it starts its local API server for the reason of a failure", () => {
    const starting = realOutput('sky-api-server-started').stdout;
    const failed = realOutput('sky-api-logs-not-found', { REQUEST_ID: 'r-1' }).stderr;
    expect(skyFailure('Checking IBM', starting, failed, LOCAL).message).toBe(
      "Checking IBM failed: RuntimeError: Failed to stream logs: Request 'r-1' not found.",
    );
    // Nothing else that reads like an error: no reason rather than the note.
    expect(skyFailure('Checking IBM', starting, 'Aborted!', LOCAL).message).toBe('Checking IBM failed.');
  });

  it('names an API server it cannot reach, and where its address is set', () => {
    const url = 'http://team.example:46580';
    const stderr = realOutput('sky-api-unreachable', { ENDPOINT: url }).stderr;
    const configFile = '/home/u/.carapace/.sky.yaml';
    const fromConfig = { ...LOCAL, endpoint: { url, source: 'config' as const, configFile, team: true } };
    expect(skyFailure('Listing the servers', '', stderr, fromConfig)).toMatchObject({
      code: 'sky-api-unreachable',
      message: expect.stringContaining(url),
      hint: expect.stringContaining(`api_server.endpoint in ${configFile}`),
    });
    const fromEnvironment = {
      ...LOCAL,
      endpoint: { url, source: 'environment' as const, configFile: null, team: true },
    };
    expect(skyFailure('Listing the servers', '', stderr, fromEnvironment).hint).toContain(
      'SKYPILOT_API_SERVER_ENDPOINT',
    );
  });

  it('gives a login command that works: the managed sky by its full path, the address without its password', () => {
    const url = 'https://alice:pa55word@sky.corp.example';
    const target = {
      sky: '/home/u/my carapace/tools/bin/sky',
      endpoint: resolveApiServer({}, url, '/home/u/my carapace'),
    };
    const failure = skyFailure(
      'Listing the servers',
      '',
      realOutput('sky-api-auth-required', { ENDPOINT: url }).stderr,
      target,
    );
    expect(failure.code).toBe('sky-api-unauthorized');
    expect(failure.hint).toContain("'/home/u/my carapace/tools/bin/sky' api login -e https://sky.corp.example --");
    expect(JSON.stringify(failure)).not.toContain('pa55word');
  });

  it('says a cloud the check left disabled is not set up, and where to see why, without the exception', () => {
    const { stderr } = realOutput('sky-launch-cloud-not-enabled', { CLOUD: 'GCP', CLOUD_ID: 'gcp' });
    expect(skyFailure('The launch of web-1', '', stderr, LOCAL)).toEqual({
      code: 'sky-failed',
      message: 'The launch of web-1 failed: GCP is not set up on this computer.',
      hint: 'See GCP in the Clouds list for what it needs; once it is set up, Check Clouds and launch again.',
    });
    const team = { ...LOCAL, endpoint: resolveApiServer({}, 'https://sky.corp.example', '/home/u/.carapace') };
    expect(skyFailure('The launch of web-1', '', stderr, team)).toMatchObject({
      message:
        "The launch of web-1 failed: GCP is not enabled on the team's SkyPilot API server at https://sky.corp.example.",
      hint: "Ask the team server's admin to enable GCP, or choose another cloud.",
    });
  });

  it('says anything else in SkyPilot words', () => {
    const { stderr } = realOutput('sky-launch-autostop-unsupported', { CLOUD: 'Kubernetes' });
    expect(skyFailure('The launch', '', stderr, LOCAL)).toMatchObject({
      code: 'sky-failed',
      message: expect.stringContaining('The launch failed: sky.exceptions.NotSupportedError'),
    });
  });
});

/** A HOME with ~/.sky and a CARAPACE_HOME in it, removed afterwards. */
function withSkyHome(test: (home: string, cwd: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'carapace-sky-home-'));
  try {
    mkdirSync(join(home, '.sky'));
    mkdirSync(join(home, 'carapace'));
    test(home, join(home, 'carapace'));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe("the AWS CLI SkyPilot's steps run", () => {
  /** CARAPACE_HOME as the installer leaves it: tools -> tools.1, whose bin/sky links into the environment, aws beside it. */
  function withTools(test: (home: string, sky: string, elsewhere: string) => void): void {
    const home = mkdtempSync(join(tmpdir(), 'carapace-aws-cli-'));
    try {
      const bin = join(home, 'tools.1/envs/skypilot-nightly/bin');
      mkdirSync(bin, { recursive: true });
      mkdirSync(join(home, 'tools.1/bin'));
      mkdirSync(join(home, 'elsewhere'));
      for (const program of [join(bin, 'sky'), join(bin, 'aws'), join(home, 'elsewhere/aws')]) {
        writeFileSync(program, '#!/bin/sh\n');
        chmodSync(program, 0o755);
      }
      symlinkSync('../envs/skypilot-nightly/bin/sky', join(home, 'tools.1/bin/sky'));
      symlinkSync('tools.1', join(home, 'tools'));
      test(home, join(home, 'tools/bin/sky'), join(home, 'elsewhere'));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }

  it('is named through the tools link, and only when the user has no aws of their own and the sky is Carapace’s', () => {
    withTools((home, sky, elsewhere) => {
      const managed = { path: sky, source: 'managed' as const };
      expect(awsCliForUser(managed, '/usr/bin:/bin')).toBe(join(home, 'tools/envs/skypilot-nightly/bin/aws'));
      expect(awsCliForUser(managed, `/usr/bin:${elsewhere}`)).toBeNull();
      expect(awsCliForUser({ path: sky, source: 'path' }, '/usr/bin')).toBeNull();
    });
  });

  it("is said under SkyPilot's steps that run aws (AWS's, Cloudflare's), and nowhere else", () => {
    const check = parseSkyCheck(realOutput('sky-check-nothing-enabled', ENDPOINT).stdout);
    const awsCli = '/home/u/.carapace/tools/envs/skypilot-nightly/bin/aws';
    const advice = inCarapaceWords(check, { ...MANAGED, awsCli });
    const note = `The aws command above came with Carapace's cloud tools and is not on your PATH: run it as ${awsCli} (for example, ${awsCli} configure).`;
    const noted = advice.filter((cloud) => cloud.reasons.some((reason) => reason.text.endsWith(note)));
    // Nebius's storage step runs aws too, but its libraries are what it lacks here: that is said instead.
    expect(noted.map((cloud) => cloud.name)).toEqual(['AWS', 'Cloudflare', 'CoreWeave']);
    const nebius = inCarapaceWords(parseSkyCheck(realOutput('sky-check-nebius-no-credentials', ENDPOINT).stdout), {
      installedExtras: ['aws', 'nebius'],
      teamServer: null,
      awsCli,
    });
    expect(nebius[0]?.reasons.map((reason) => reason.text.endsWith(note))).toEqual([false, true]);
    // Without one to name (the user has aws, or the sky is not Carapace's): SkyPilot's words alone.
    const plain = inCarapaceWords(check, MANAGED);
    expect(plain.some((cloud) => cloud.reasons.some((reason) => reason.text.includes(note)))).toBe(false);
  });
});

describe('the API server sky uses', () => {
  it("is the one get_server_url finds: the variable, then Carapace's setting, then sky's config, then the local one", () => {
    withSkyHome((home, cwd) => {
      const env = { HOME: home };
      expect(resolveApiServer(env, null, cwd)).toEqual({
        url: LOCAL_API_SERVER,
        source: 'default',
        configFile: null,
        team: false,
      });
      writeFileSync(join(home, '.sky/config.yaml'), 'api_server:\n  endpoint: https://login.example//\n');
      expect(resolveApiServer(env, null, cwd)).toEqual({
        url: 'https://login.example',
        source: 'config',
        configFile: join(home, '.sky/config.yaml'),
        team: true,
      });
      expect(resolveApiServer(env, 'https://saved.example', cwd)).toMatchObject({
        url: 'https://saved.example',
        source: 'settings',
      });
      expect(
        resolveApiServer(
          { ...env, SKYPILOT_API_SERVER_ENDPOINT: 'http://localhost:46580' },
          'https://saved.example',
          cwd,
        ),
      ).toEqual({ url: 'http://localhost:46580', source: 'environment', configFile: null, team: false });
      writeFileSync(join(home, 'other.yaml'), 'api_server:\n  endpoint: https://other.example\n');
      expect(resolveApiServer({ ...env, SKYPILOT_GLOBAL_CONFIG: '~/other.yaml' }, null, cwd).url).toBe(
        'https://other.example',
      );
    });
  });

  it('lays the project config (.sky.yaml where sky runs, or SKYPILOT_PROJECT_CONFIG) over the user config, as skypilot_config.py does', () => {
    withSkyHome((home, cwd) => {
      const env = { HOME: home };
      writeFileSync(join(home, '.sky/config.yaml'), 'api_server:\n  endpoint: https://user.example\n');
      writeFileSync(join(cwd, '.sky.yaml'), 'api_server:\n  endpoint: https://project.example\n');
      expect(resolveApiServer(env, null, cwd)).toMatchObject({
        url: 'https://project.example',
        configFile: join(cwd, '.sky.yaml'),
      });
      // A project config without an endpoint leaves the user's.
      writeFileSync(join(home, 'project.yaml'), 'kubernetes:\n  allowed_contexts: [a]\n');
      expect(resolveApiServer({ ...env, SKYPILOT_PROJECT_CONFIG: '~/project.yaml' }, null, cwd).url).toBe(
        'https://user.example',
      );
      // SKYPILOT_CONFIG's file is the whole config: neither the user's nor the project's is read.
      writeFileSync(join(home, 'only.yaml'), 'kubernetes:\n  allowed_contexts: [a]\n');
      expect(resolveApiServer({ ...env, SKYPILOT_CONFIG: join(home, 'only.yaml') }, null, cwd)).toMatchObject({
        url: LOCAL_API_SERVER,
        source: 'default',
      });
    });
  });
});

describe('plainText', () => {
  it('removes colours and carriage returns', () => {
    expect(plainText('\u001b[32m\u001b[22m  AWS: enabled\u001b[0m\r\n')).toBe('  AWS: enabled\n');
  });
});

describe('displayText', () => {
  it("drops sky's colours and pictographs, and keeps its indentation", () => {
    const check = realOutput('sky-check-aws-enabled').stdout.split('\n');
    const shown = check.map(displayText);
    expect(shown).toContain('Enabled infra');
    expect(shown).toContain('  AWS [compute, storage]');
    expect(shown.join('\n')).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(shown.join('\n')).not.toContain(String.fromCharCode(27));
    expect(displayText('  ✓ Cluster launched: web-1.')).toBe('  ✓ Cluster launched: web-1.');
  });

  it('drops the text-style selector after a pictograph with it (sky prints "⚙︎ Launching on …")', () => {
    const launching = realOutput('sky-launch-logs')
      .stdout.split('\n')
      .find((line) => line.includes('Launching on'));
    expect(launching).toContain('\u2699\uFE0E');
    expect(displayText(launching ?? '')).toMatch(/^Launching on /);
  });
});
