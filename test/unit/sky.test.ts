// The parsers read the formats shared/reference/uv-and-skypilot.md gives for the real sky.
import { describe, expect, it } from 'vitest';
import { parseSkyCheck } from '../../src/sky/check.js';
import { parseSkyStatus } from '../../src/sky/status.js';

const CHECK = `Checking credentials to enable infra for SkyPilot.
  AWS: enabled [compute, storage]
  Azure: disabled
    Reason [compute]: Azure CLI returned error. Run the following commands: ...
  GCP: disabled
    Reason: GCP tools are not installed. Run the following commands: ...

🎉 Enabled infra 🎉
  AWS [compute, storage]

To enable a cloud, follow the hints above and rerun: sky check
If any problems remain, refer to detailed docs at: https://docs.skypilot.co/en/latest/getting-started/installation.html

Using SkyPilot API server: http://127.0.0.1:46580
`;

const green = (text: string) => `\u001b[32m${text}\u001b[0m`;
const dim = (text: string) => `\u001b[2m${text}\u001b[0m`;

describe('parseSkyCheck', () => {
  const expected = {
    enabled: [{ name: 'AWS', capabilities: ['compute', 'storage'] }],
    disabled: [
      {
        name: 'Azure',
        reasons: [{ capability: 'compute', text: 'Azure CLI returned error. Run the following commands: ...' }],
      },
      {
        name: 'GCP',
        reasons: [{ capability: null, text: 'GCP tools are not installed. Run the following commands: ...' }],
      },
    ],
  };

  it('reads enabled clouds with capabilities and disabled ones with reasons', () => {
    expect(parseSkyCheck(CHECK)).toEqual({ ...expected, raw: CHECK });
  });

  it('reads the same when the clouds are coloured', () => {
    const coloured = CHECK.replace('AWS: enabled [compute, storage]', green('AWS: enabled [compute, storage]'))
      .replace('Azure: disabled', dim('Azure: disabled'))
      .replace('GCP: disabled', dim('GCP: disabled'));
    expect(parseSkyCheck(coloured)).toMatchObject(expected);
  });

  it('reads a check with nothing enabled, the API server lines first, and multi-line reasons', () => {
    const text = `Starting SkyPilot API server, view logs at ~/.sky/api_server/server.log
✓ SkyPilot API server started.
Checking credentials to enable infra for SkyPilot.
  AWS: disabled
    Reason: AWS credentials are not set. Run the following commands:
      $ pip install boto3
      $ aws configure
  Kubernetes: disabled
    Reason: No kubeconfig found.

No infra to check/enabled.
`;
    expect(parseSkyCheck(text)).toMatchObject({
      enabled: [],
      disabled: [
        {
          name: 'AWS',
          reasons: [
            {
              capability: null,
              text: 'AWS credentials are not set. Run the following commands: $ pip install boto3 $ aws configure',
            },
          ],
        },
        { name: 'Kubernetes', reasons: [{ capability: null, text: 'No kubeconfig found.' }] },
      ],
    });
  });

  it('finds nothing in output that is not a check', () => {
    expect(parseSkyCheck('Traceback (most recent call last):\n  File "x"')).toMatchObject({
      enabled: [],
      disabled: [],
    });
  });
});

describe('parseSkyStatus', () => {
  it('reads "No existing clusters."', () => {
    expect(parseSkyStatus('No existing clusters.\n')).toEqual([]);
  });

  it('reads the clusters table, cells with spaces included', () => {
    const text = `Clusters
NAME        INFRA              RESOURCES                          STATUS   AUTOSTOP  LAUNCHED
web-1       AWS (us-east-1)    1x(cpus=2, mem=8, m6i.large, ...)  UP       -         2 mins ago
gpu.box_2   GCP (us-central1)  1x(gpus=L4:1, g2-standard-4, ...)  STOPPED  10m       1 day ago
starting    AWS (us-west-2)    1x(cpus=4, m6i.xlarge, ...)        INIT     -         just now

Managed jobs
No in-progress managed jobs.
`;
    expect(parseSkyStatus(`\u001b[1m${text}\u001b[0m`)).toEqual([
      {
        name: 'web-1',
        infra: 'AWS (us-east-1)',
        resources: '1x(cpus=2, mem=8, m6i.large, ...)',
        status: 'UP',
        autostop: '-',
        launched: '2 mins ago',
      },
      {
        name: 'gpu.box_2',
        infra: 'GCP (us-central1)',
        resources: '1x(gpus=L4:1, g2-standard-4, ...)',
        status: 'STOPPED',
        autostop: '10m',
        launched: '1 day ago',
      },
      {
        name: 'starting',
        infra: 'AWS (us-west-2)',
        resources: '1x(cpus=4, m6i.xlarge, ...)',
        status: 'INIT',
        autostop: '-',
        launched: 'just now',
      },
    ]);
  });
});
