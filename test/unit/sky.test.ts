// The parsers of sky's output, each on the real output in test/fixtures/real/.
import { describe, expect, it } from 'vitest';
import { inCarapaceWords, parseSkyCheck } from '../../src/sky/check.js';
import { ADDABLE_CLOUD_IDS, CLOUDS, extraOfCloud, SKYPILOT_CLOUD_EXTRAS } from '../../src/sky/clouds.js';
import { parseSkyDown } from '../../src/sky/down.js';
import { skyFailure } from '../../src/sky/failure.js';
import { parseLaunchRequestId, wasCancelled } from '../../src/sky/launch.js';
import { parseSkyStatus, SkyOutputError } from '../../src/sky/status.js';
import { displayText, plainText } from '../../src/sky/text.js';
import { realOutput, realOutputNames } from '../support/real.js';

const ENDPOINT = { ENDPOINT: 'http://127.0.0.1:46580' };

describe('the real-output fixtures', () => {
  it('each name its program, its upstream source and an exit status, and hold output', () => {
    for (const name of realOutputNames()) {
      const output = realOutput(name);
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
    const check = parseSkyCheck(realOutput('sky-check-nothing-enabled', ENDPOINT).stdout);
    expect(check.disabled.map((cloud) => extraOfCloud(cloud.name))).toEqual([
      'aws',
      'azure',
      'gcp',
      'kubernetes',
      'lambda',
    ]);
    expect(extraOfCloud('Cloudflare (for R2 object store)')).toBeNull();
  });
});

describe('parseSkyCheck', () => {
  it('reads enabled clouds and disabled ones with every reason line, colours removed', () => {
    const check = parseSkyCheck(realOutput('sky-check-aws-enabled', ENDPOINT).stdout);
    expect(check.enabled).toEqual([{ name: 'AWS', capabilities: ['compute', 'storage'] }]);
    expect(check.disabled.map((cloud) => cloud.name)).toEqual(['Azure', 'GCP', 'Kubernetes', 'Lambda']);
    expect(check.disabled[1]?.reasons).toEqual([
      {
        capabilities: ['compute', 'storage'],
        text: [
          'GCP tools are not installed. Run the following commands:',
          '$ pip install google-api-python-client',
          '$ conda install -c conda-forge google-cloud-sdk -y',
          'If gcloud was recently installed with wget, API server may need to be restarted with following commands:',
          '$ sky api stop; sky api start',
        ].join('\n'),
      },
    ]);
    expect(check.workspaces).toEqual([
      { workspace: 'default', enabled: [{ name: 'AWS', capabilities: ['compute', 'storage'] }] },
    ]);
  });

  it('keeps continuation lines indented by only 4 spaces', () => {
    const gcp = parseSkyCheck(realOutput('sky-check-aws-enabled-gcp-installed', ENDPOINT).stdout).disabled.find(
      (cloud) => cloud.name === 'GCP',
    );
    expect(gcp?.reasons[0]?.text.split('\n').at(-1)).toBe(
      'For more info: https://docs.skypilot.co/en/latest/getting-started/installation.html#google-cloud-platform-gcp',
    );
  });

  it('reads a check with nothing enabled', () => {
    const check = parseSkyCheck(realOutput('sky-check-nothing-enabled', ENDPOINT).stdout);
    expect(check.enabled).toEqual([]);
    expect(check.disabled[0]).toMatchObject({ name: 'AWS', reasons: [{ capabilities: ['compute', 'storage'] }] });
    expect(check.workspaces).toEqual([{ workspace: 'default', enabled: [] }]);
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

  it('reads cloud names with parentheses, hints, and contexts under an enabled cloud', () => {
    const check = parseSkyCheck(realOutput('sky-check-kubernetes-cloudflare', ENDPOINT).stdout);
    expect(check.enabled).toEqual([
      { name: 'AWS', capabilities: ['compute', 'storage'] },
      { name: 'Kubernetes', capabilities: ['compute'] },
    ]);
    expect(check.disabled).toMatchObject([
      { name: 'Cloudflare (for R2 object store)', reasons: [{ capabilities: ['storage'] }] },
    ]);
    expect(check.workspaces[0]?.enabled.map((cloud) => cloud.name)).toEqual(['AWS', 'Kubernetes']);
  });

  it("replaces SkyPilot's pip-install advice with what to do in Carapace", () => {
    const check = parseSkyCheck(realOutput('sky-check-aws-enabled', ENDPOINT).stdout);
    const advice = inCarapaceWords(check, ['aws']);
    const gcp = advice.find((cloud) => cloud.name === 'GCP');
    expect(gcp?.missing_extra).toBe('gcp');
    expect(gcp?.reasons).toEqual([
      {
        capabilities: ['compute', 'storage'],
        text: "SkyPilot's libraries for GCP are not part of Carapace's cloud tools yet. Add GCP to install them.",
      },
    ]);
    expect(JSON.stringify(advice)).not.toContain('pip install');
    expect(advice.find((cloud) => cloud.name === 'Kubernetes')?.missing_extra).toBeNull();
    expect(inCarapaceWords(check, null).find((cloud) => cloud.name === 'GCP')?.reasons[0]?.text).toContain(
      'found on PATH',
    );
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

  it('reads the old (0.6) table by its header names too', () => {
    expect(parseSkyStatus(realOutput('sky-status-old-0.6').stdout)).toMatchObject([
      { name: 'web-1', status: 'UP', infra: '' },
    ]);
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
        'RuntimeError: Failed to terminate instances of cluster web-1: the instance is protected from termination.',
    });
    expect(down('sky-down-failed-cloud')).toEqual({
      outcome: 'failed',
      reason:
        'An error occurred (UnauthorizedOperation) when calling the TerminateInstances operation: You are not authorized to perform this operation.',
    });
    expect(down('sky-down-failed-owner')).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('owned by account'),
    });
    for (const failed of ['sky-down-failed-runtime', 'sky-down-failed-cloud', 'sky-down-failed-owner']) {
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

  it('recognizes a cancelled request', () => {
    const cancelled = realOutput('sky-api-logs-cancelled', { REQUEST_ID: 'x' });
    expect(wasCancelled(cancelled.stdout, cancelled.stderr)).toBe(true);
    expect(wasCancelled(realOutput('sky-launch-logs').stdout, '')).toBe(false);
  });
});

describe('skyFailure', () => {
  it('gives a version mismatch of the local API server its own code and a fix', () => {
    expect(skyFailure('The cloud check', '', realOutput('sky-api-mismatch').stderr, null)).toEqual({
      code: 'sky-api-mismatch',
      message: "The cloud check failed: SkyPilot's local API server is still running an older version of SkyPilot.",
      hint: 'Click Repair: it stops the old API server and reinstalls, and the next action starts a matching one.',
    });
  });

  it('names an API server it cannot reach', () => {
    const endpoint = 'http://team.example:46580';
    expect(
      skyFailure('Listing the servers', '', realOutput('sky-api-unreachable', { ENDPOINT: endpoint }).stderr, endpoint),
    ).toMatchObject({ code: 'sky-api-unreachable', message: expect.stringContaining(endpoint) });
  });

  it('says anything else in SkyPilot words', () => {
    expect(
      skyFailure('The launch', '', 'sky.exceptions.ResourcesUnavailableError: No cloud access\n', null),
    ).toMatchObject({
      code: 'sky-failed',
      message: 'The launch failed: sky.exceptions.ResourcesUnavailableError: No cloud access.',
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
});
