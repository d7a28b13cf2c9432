import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALLER_EXIT_STATUS } from '../../src/contract.js';
import { parseInstallerLine } from '../../src/installer/lines.js';
import { STANDINS_DIR } from '../mirror/artifacts.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { cleanUpTemporaryFolders, installerEnv, runInstallerInTerminal } from '../support/fixture.js';

describe('parseInstallerLine', () => {
  it('reads phase and message', () => {
    expect(parseInstallerLine('[carapace] checking: Checking this system and /h')).toEqual({
      phase: 'checking',
      percent: null,
      bytes: null,
      total: null,
      code: null,
      message: 'Checking this system and /h',
      hint: null,
      log: null,
    });
  });

  it('reads download progress as numbers, not from the English message', () => {
    const event = parseInstallerLine(
      '[carapace] downloading 42% bytes=8100000/19300000: Downloading package manager: 8.1 of 19.3 MB',
    );
    expect(event).toMatchObject({
      phase: 'downloading',
      percent: 42,
      bytes: 8_100_000,
      total: 19_300_000,
      message: 'Downloading package manager: 8.1 of 19.3 MB',
    });
    expect(parseInstallerLine('[carapace] downloading bytes=1200: anything at all')).toMatchObject({
      percent: null,
      bytes: 1200,
      total: null,
      message: 'anything at all',
    });
  });

  it('splits an error into message, hint and log', () => {
    const event = parseInstallerLine(
      '[carapace] error code=network: Could not download uv from a or b: the connection was refused. What to do: Check your internet connection, then retry. Full log: /h/logs/install.log',
    );
    expect(event).toEqual({
      phase: 'error',
      percent: null,
      bytes: null,
      total: null,
      code: 'network',
      message: 'Could not download uv from a or b: the connection was refused.',
      hint: 'Check your internet connection, then retry.',
      log: '/h/logs/install.log',
    });
  });

  it('reads an error printed before the log exists', () => {
    const event = parseInstallerLine(
      "[carapace] error code=internal: Unknown option '--x'. What to do: Run with --help to see the options.",
    );
    expect(event).toMatchObject({ code: 'internal', hint: 'Run with --help to see the options.', log: null });
  });

  it('ignores colour and CR, and refuses lines outside the grammar', () => {
    expect(parseInstallerLine('\u001b[1m[carapace] complete\u001b[0m: done\r')).toMatchObject({
      phase: 'complete',
      message: 'done',
    });
    expect(parseInstallerLine('Usage: sh scripts/install-skypilot.sh')).toBeNull();
    expect(parseInstallerLine('[carapace] finished: no such phase')).toBeNull();
    expect(parseInstallerLine('[carapace] error code=made-up: no such code. What to do: x')).toBeNull();
  });
});

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
