// Every line the installer prints, on its normal paths and its errors, is one that
// src/installer/lines.ts parses, and an error line's code is the one it exits with.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALLER_EXIT_STATUS } from '../../src/contract.js';
import { parseInstallerLine } from '../../src/installer/lines.js';
import { STANDINS_DIR } from '../mirror/artifacts.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { cleanUpTemporaryFolders, installerEnv, runInstallerInTerminal } from '../support/fixture.js';

describe('every line the script prints parses', () => {
  let mirror: Mirror;
  let root: string;

  beforeAll(async () => {
    mirror = await startMirror();
    root = mkdtempSync(join(tmpdir(), 'carapace-lines-'));
  });
  afterAll(async () => {
    await mirror.close();
    cleanUpTemporaryFolders(root);
  });

  // Asynchronous: the mirror answers from this same process.
  function run(name: string, env: NodeJS.ProcessEnv = {}) {
    const home = join(root, name);
    return (args: string[]) => runInstallerInTerminal(installerEnv(mirror, home, env), args).done;
  }

  it.each([
    [
      'fresh install, fast path, status, uninstall',
      [[], [], ['--status'], ['--force'], ['--uninstall'], ['--status']],
      {},
    ],
    ['platform', [[]], { PATH: `${join(STANDINS_DIR, 'platform')}:${process.env.PATH}`, STANDIN_UNAME_S: 'SunOS' }],
    ['network', [[]], { CARAPACE_UV_MIRROR: 'http://127.0.0.1:9/uv' }],
    ['disk', [[]], { CARAPACE_MIN_FREE_MB: '999999999' }],
    ['package', [[]], { CARAPACE_SKYPILOT_SPEC: 'no-such-package' }],
  ] as const)('%s', async (name, runs, env) => {
    const invoke = run(name.split(',')[0] ?? name, env);
    for (const args of runs) {
      const result = await invoke([...args]);
      const lines = result.stdout.trim().split('\n');
      for (const line of lines) expect(parseInstallerLine(line), line).not.toBeNull();
      const last = parseInstallerLine(lines.at(-1) ?? '');
      if (last?.phase === 'error') {
        expect(result.status).toBe(INSTALLER_EXIT_STATUS[last.code ?? 'internal']);
        expect(last.hint).toBeTruthy();
      } else if (last?.phase === 'complete') {
        expect(result.status).toBe(0);
      }
    }
  });

  it('checksum, with a mirror that serves a wrong sidecar', async () => {
    mirror.setFaults([{ match: '.sha256', kind: 'bad-checksum' }]);
    const result = await run('checksum')([]);
    mirror.reset();
    const lines = result.stdout.trim().split('\n').map(parseInstallerLine);
    expect(lines.every(Boolean)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ phase: 'error', code: 'checksum' });
    expect(result.status).toBe(14);
  });
});
