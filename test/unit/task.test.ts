import { describe, expect, it } from 'vitest';
import { CarapaceError } from '../../src/errors.js';
import { parseLaunchRequest } from '../../src/servers/request.js';
import { launchFlags, taskYaml } from '../../src/sky/task.js';

function refusal(body: unknown): CarapaceError {
  try {
    parseLaunchRequest(body);
  } catch (error) {
    if (error instanceof CarapaceError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('parseLaunchRequest', () => {
  it('accepts a full request and fills defaults', () => {
    expect(parseLaunchRequest({ name: 'web-1' })).toEqual({
      name: 'web-1',
      cloud: null,
      region: null,
      cpus: null,
      memory: null,
      disk_size: null,
      use_spot: false,
      ports: [],
      autostop: null,
      dryrun: false,
    });
    expect(
      parseLaunchRequest({
        name: 'a.b_c-9',
        cloud: 'aws',
        region: 'us-east-1',
        cpus: 2,
        memory: '8+',
        disk_size: 50,
        use_spot: true,
        ports: [8080, '9000-9010'],
        dryrun: true,
      }),
    ).toMatchObject({ cpus: '2', memory: '8+', ports: ['8080', '9000-9010'] });
  });

  it.each([
    [null, 'must be a JSON object'],
    [{ name: '' }, 'not a valid server name'],
    [{ name: '9lives' }, 'not a valid server name'],
    [{ name: 'ends-' }, 'not a valid server name'],
    [{ name: 'has space' }, 'not a valid server name'],
    [{ name: 'x; rm -rf /' }, 'not a valid server name'],
    [{ name: `a${'b'.repeat(63)}` }, 'not a valid server name'],
    [{ name: 'ok', cloud: 'mars' }, 'not a cloud'],
    [{ name: 'ok', region: 'us-east-1' }, 'A region needs a cloud'],
    [{ name: 'ok', cloud: 'aws', region: 'US EAST' }, 'not a region'],
    [{ name: 'ok', cpus: '-1' }, '"cpus" must be a positive number'],
    [{ name: 'ok', memory: '8GB' }, '"memory" must be a positive number'],
    [{ name: 'ok', disk_size: 5 }, '"disk_size"'],
    [{ name: 'ok', use_spot: 'yes' }, '"use_spot" must be true or false'],
    [{ name: 'ok', ports: [70000] }, 'not a port'],
    [{ name: 'ok', ports: ['90-80'] }, 'not a port'],
    [{ name: 'ok', extra: 1 }, 'Unknown field(s): extra'],
    [{ name: { toString: 1 } }, '"an object" is not a valid server name'],
    [{ name: 'ok', cloud: { toString: 1 } }, '"cloud" must be a string'],
    [{ name: 'ok', ports: [{ toString: 1 }] }, '"an object" is not a port'],
    [{ name: 'ok', autostop: 60 }, '"autostop" must be null or an object'],
    [{ name: 'ok', autostop: { idle_minutes: 0 } }, 'from 1 to 10080'],
    [{ name: 'ok', autostop: { idle_minutes: 5, down: 'yes' } }, '"autostop.down" must be true or false'],
    [{ name: 'ok', cloud: 'aws', region: 'us-east-1; rm' }, 'not a region'],
    [{ name: 'ok', cloud: 'kubernetes', region: 'ctx with space' }, 'not a kubeconfig context'],
    [{ name: 'ok', cloud: 'kubernetes', region: 'a//b' }, 'not a kubeconfig context'],
    // sky/execution.py asks the cloud for STOP when idle servers are stopped (sky/clouds/<cloud>.py).
    [{ name: 'ok', autostop: { idle_minutes: 30, down: false } }, 'needs a cloud that can stop servers'],
    [{ name: 'ok', cloud: 'lambda', autostop: { idle_minutes: 30 } }, 'Lambda cannot stop on-demand servers'],
    [{ name: 'ok', cloud: 'kubernetes', autostop: { idle_minutes: 30 } }, 'Kubernetes cannot stop'],
    [{ name: 'ok', cloud: 'runpod', autostop: { idle_minutes: 30 } }, 'RunPod cannot stop'],
    [{ name: 'ok', cloud: 'aws', use_spot: true, autostop: { idle_minutes: 30 } }, 'AWS cannot stop spot servers'],
    [{ name: 'ok', cloud: 'nebius', autostop: { idle_minutes: 30, down: true } }, 'Nebius cannot tear servers down'],
  ])('refuses %j', (body, message) => {
    const error = refusal(body);
    expect(error.code).toBe('invalid-request');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });
});

describe('autostop the cloud can do', () => {
  it.each([
    [{ name: 'ok', autostop: { idle_minutes: 30, down: true } }],
    [{ name: 'ok', use_spot: true, autostop: { idle_minutes: 30, down: true } }],
    [{ name: 'ok', cloud: 'aws', autostop: { idle_minutes: 30, down: false } }],
    [{ name: 'ok', cloud: 'gcp', use_spot: true, autostop: { idle_minutes: 30, down: false } }],
    [{ name: 'ok', cloud: 'lambda', autostop: { idle_minutes: 30, down: true } }],
    [{ name: 'ok', cloud: 'nebius', autostop: { idle_minutes: 30, down: false } }],
  ])('is accepted: %j', (body) => {
    expect(parseLaunchRequest(body).autostop).toEqual(body.autostop);
  });

  it('takes a kubeconfig context as the Kubernetes region, slashes and colons included', () => {
    const context = 'arn:aws:eks:us-west-2:111111111111:cluster/team_a';
    const request = parseLaunchRequest({ name: 'ok', cloud: 'kubernetes', region: context });
    expect(taskYaml(request)).toContain(`  infra: "kubernetes/${context}"`);
    expect(parseLaunchRequest({ name: 'ok', cloud: 'kubernetes', region: 'gke_proj_us-central1-c_main' }).region).toBe(
      'gke_proj_us-central1-c_main',
    );
  });
});

describe('taskYaml', () => {
  it('writes SkyPilot resources, every string quoted, and no task name', () => {
    const yaml = taskYaml(
      parseLaunchRequest({
        name: 'web',
        cloud: 'aws',
        region: 'us-east-1',
        cpus: '2+',
        disk_size: 50,
        use_spot: true,
        ports: [80],
      }),
    );
    expect(yaml).toBe(
      [
        '# Written by Carapace for "Launch Server".',
        'resources:',
        '  infra: "aws/us-east-1"',
        '  cpus: "2+"',
        '  disk_size: 50',
        '  use_spot: true',
        '  ports: ["80"]',
        'run: "echo \\"Carapace server web is up\\""',
        '',
      ].join('\n'),
    );
  });

  it('leaves resources out when none are asked for', () => {
    expect(taskYaml(parseLaunchRequest({ name: 'web' }))).not.toContain('resources:');
  });

  it.each(['yes', 'no', 'on', 'off', 'true', 'false', 'null', 'web---1'])(
    'launches %s, a valid cluster name that YAML or a task name would misread',
    (name) => {
      const yaml = taskYaml(parseLaunchRequest({ name }));
      expect(yaml).not.toMatch(/^name:/m);
      expect(yaml).toContain(`run: "echo \\"Carapace server ${name} is up\\""`);
    },
  );
});

describe('launchFlags', () => {
  it('passes autostop to sky launch as -i and --down', () => {
    expect(
      launchFlags(parseLaunchRequest({ name: 'web', cloud: 'aws', autostop: { idle_minutes: 60, down: false } })),
    ).toEqual(['-y', '-c', 'web', '-i', '60']);
    expect(
      launchFlags(parseLaunchRequest({ name: 'web', autostop: { idle_minutes: 30, down: true }, dryrun: true })),
    ).toEqual(['-y', '-c', 'web', '-i', '30', '--down', '--dryrun']);
    expect(launchFlags(parseLaunchRequest({ name: 'web', autostop: null }))).toEqual(['-y', '-c', 'web']);
  });
});
