// The contract between scripts/install-skypilot.sh and the server (src/contract.ts):
// the script is run, and what it prints and the files it makes are checked against
// the module. Changing one side alone fails here.
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALLER_SCRIPT } from '../../src/config.js';
import {
  API_SERVER_MODULE,
  HOME_MARK_HEADER,
  HOME_OWNERSHIP,
  INSTALLER_EXIT_STATUS,
  LAYOUT,
  LOCK,
  layoutOf,
  MARKER_FIELDS,
  OLDEST_SKYPILOT,
  PHASES,
  SETTINGS_FILE,
  SETTINGS_LINE,
  SETTINGS_VARIABLES,
  skypilotIsSupported,
} from '../../src/contract.js';
import { parseInstallerLine } from '../../src/installer/lines.js';
import { readSettingsFile } from '../../src/settings/file.js';
import { Settings } from '../../src/settings/settings.js';
import { ADDABLE_CLOUD_IDS, SKYPILOT_CLOUD_EXTRAS } from '../../src/sky/clouds.js';
import { localApiServerPids } from '../../src/status/api-server.js';
import { lockHolder } from '../../src/status/lock.js';
import { readMarker } from '../../src/status/marker.js';
import { STANDINS_DIR } from '../mirror/artifacts.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import {
  cleanUpTemporaryFolders,
  installerEnv,
  runInstallerInTerminal,
  temporaryFolder,
  until,
} from '../support/fixture.js';

let mirror: Mirror;
let root: string;

beforeAll(async () => {
  mirror = await startMirror();
  root = temporaryFolder('contract');
});

afterAll(async () => {
  await mirror.close();
  cleanUpTemporaryFolders(root);
});

function installer(home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const run = runInstallerInTerminal(installerEnv(mirror, home, env), args);
  return { child: run.child, done: run.done, stdout: run.output };
}

/** The script's block headed "the contract": every fact the server shares is defined there. */
function contractBlock(): string {
  const script = readFileSync(INSTALLER_SCRIPT, 'utf8');
  const start = script.indexOf('\n# ================================================================ the contract\n');
  const end = script.indexOf('\n# ================================================================ ', start + 1);
  expect(start, 'the contract block').toBeGreaterThan(0);
  return script.slice(start, end);
}

/** The value the contract block gives NAME (NAME=value, NAME="value" or NAME='value'). */
function defined(name: string): string | undefined {
  return new RegExp(`^${name}=(.+)$`, 'm').exec(contractBlock())?.[1]?.replace(/^(["'])(.*)\1$/, '$2');
}

/** A home as the server or the installer makes it: the folder and its mark. */
function markedHome(home: string): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(layoutOf(home).homeMark, HOME_MARK_HEADER);
}

/** `--help`'s line that starts with `label`, split into its words. */
function helpLine(help: string, label: string): string[] {
  return (new RegExp(`^${label}: (.*)$`, 'm').exec(help)?.[1] ?? '').split(' ').filter(Boolean);
}

describe('the contract between the installer and the server', () => {
  it('--help lists every error code with the exit status src/contract.ts gives it, and every phase', async () => {
    const { stdout, status } = await installer(join(root, 'help'), ['--help']).done;
    expect(status).toBe(0);
    const statuses = Object.fromEntries(helpLine(stdout, 'Exit statuses').map((pair) => pair.split(':')));
    expect(statuses).toEqual({
      0: 'ok',
      ...Object.fromEntries(Object.entries(INSTALLER_EXIT_STATUS).map(([code, exit]) => [code, String(exit)])),
    });
    expect(helpLine(stdout, 'Phases')).toEqual([...PHASES]);
  });

  it('the errors it can be made to report here exit with their statuses', async () => {
    const cases: [string, string[], NodeJS.ProcessEnv][] = [
      ['platform', [], { PATH: `${join(STANDINS_DIR, 'platform')}:${process.env.PATH}`, STANDIN_UNAME_S: 'SunOS' }],
      ['network', [], { CARAPACE_UV_MIRROR: 'http://127.0.0.1:9/uv' }],
      ['disk', [], { CARAPACE_MIN_FREE_MB: '999999999' }],
      ['package', [], { CARAPACE_SKYPILOT_SPEC: 'no-such-package' }],
      ['python', [], { UV_OFFLINE: '1' }],
      ['internal', ['--no-such-option'], {}],
    ];
    for (const [code, args, env] of cases) {
      const { stdout, status } = await installer(join(root, `code-${code}`), args, env).done;
      const last = parseInstallerLine(stdout.trim().split('\n').at(-1) ?? '');
      expect(last?.code, code).toBe(code);
      expect(status, code).toBe(INSTALLER_EXIT_STATUS[code as keyof typeof INSTALLER_EXIT_STATUS]);
    }
  });

  it('an install makes the layout src/contract.ts names, the mark, and a marker with exactly its fields', async () => {
    const home = join(root, 'layout');
    const { status } = await installer(home).done;
    expect(status).toBe(0);
    const layout = layoutOf(home);
    const made: (keyof typeof LAYOUT)[] = [
      'homeMark',
      'marker',
      'uv',
      'uvx',
      'tools',
      'skyBin',
      'pythonInstalls',
      'pythonBin',
      'cache',
      'credentials',
      'installLog',
    ];
    for (const key of made) expect(existsSync(layout[key]), `${key}: ${layout[key]}`).toBe(true);
    for (const key of ['lock', 'lockOwner', 'staging', 'pendingMarker'] as const) {
      expect(existsSync(layout[key]), key).toBe(false);
    }
    expect(lstatSync(layout.tools).isSymbolicLink()).toBe(true);
    expect(readFileSync(layout.homeMark, 'utf8').startsWith(HOME_MARK_HEADER)).toBe(true);
    const marker = JSON.parse(readFileSync(layout.marker, 'utf8')) as Record<string, string>;
    expect(Object.keys(marker)).toEqual([...MARKER_FIELDS]);
    expect(readMarker(layout.marker)).toEqual(marker);
    expect(marker.sky_path).toBe(layout.skyBin);
    expect(readlinkSync(layout.tools)).toBe(marker.tools_dir);
    expect(Number(marker.download_bytes)).toBeGreaterThan(0);
    // Every entry at the top of the folder is in the layout (tools.<id> being what the link points to).
    const topLevel = new Set(Object.values(LAYOUT).map((path) => path.split('/')[0]));
    for (const entry of readdirSync(home)) expect(topLevel.has(entry) || entry === marker.tools_dir, entry).toBe(true);
  });

  it("the lock is where the contract says, with an owner of the contract's fields, and the server sees it", async () => {
    const home = join(root, 'lock');
    const run = installer(home, [], { STANDIN_UV_INSTALL_SECONDS: '3' });
    const layout = layoutOf(home);
    await until(() => existsSync(layout.lockOwner) && /Prepared/.test(run.stdout()), 'the install to hold its lock');
    expect(statSync(layout.lock).isDirectory()).toBe(true);
    const owner = JSON.parse(readFileSync(layout.lockOwner, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(owner)).toEqual([...LOCK.ownerFields]);
    expect(owner.pid).toBe(run.child.pid);
    expect(await lockHolder(layout)).toMatchObject({ pid: run.child.pid });
    expect(Number(defined('LOCK_STALE_SECONDS')) * 1000).toBe(LOCK.staleMs);
    expect((await run.done).status).toBe(0);
    expect(existsSync(layout.lock)).toBe(false);
    expect(await lockHolder(layout)).toBeNull();
  });

  it("the facts in the script's contract block are the ones in src/contract.ts", () => {
    expect({
      homeMark: defined('HOME_MARK_PATH'),
      marker: defined('MARKER_PATH'),
      pendingMarker: defined('PENDING_MARKER_PATH'),
      lock: defined('LOCK_PATH'),
      lockOwner: defined('LOCK_OWNER_PATH'),
      uv: defined('UV_PATH'),
      uvx: defined('UVX_PATH'),
      tools: defined('TOOLS_LINK_PATH'),
      skyBin: defined('SKY_PATH'),
      pythonInstalls: defined('PYTHON_INSTALLS_PATH'),
      pythonBin: defined('PYTHON_BIN_PATH'),
      cache: defined('CACHE_PATH'),
      credentials: defined('CREDENTIALS_PATH'),
      installLog: defined('INSTALL_LOG_PATH'),
      staging: defined('STAGING_PATH'),
      settings: defined('SETTINGS_PATH'),
    }).toEqual({
      homeMark: LAYOUT.homeMark,
      marker: LAYOUT.marker,
      pendingMarker: LAYOUT.pendingMarker,
      lock: LAYOUT.lock,
      lockOwner: LAYOUT.lockOwner,
      uv: LAYOUT.uv,
      uvx: LAYOUT.uvx,
      tools: LAYOUT.tools,
      skyBin: LAYOUT.skyBin,
      pythonInstalls: LAYOUT.pythonInstalls,
      pythonBin: LAYOUT.pythonBin,
      cache: LAYOUT.cache,
      credentials: LAYOUT.credentials,
      installLog: LAYOUT.installLog,
      staging: LAYOUT.staging,
      settings: LAYOUT.settings,
    });
    expect(`${defined('HOME_MARK_HEADER')}\n`).toBe(HOME_MARK_HEADER);
    expect({ release: defined('OLDEST_SKYPILOT_RELEASE'), nightly: defined('OLDEST_SKYPILOT_NIGHTLY') }).toEqual(
      OLDEST_SKYPILOT,
    );
    expect(defined('SETTINGS_VARIABLES')?.split(' ')).toEqual([...SETTINGS_VARIABLES]);
    expect(defined('SETTINGS_LINE')).toBe(SETTINGS_LINE);
    expect(Number(defined('SETTINGS_MAX_BYTES'))).toBe(SETTINGS_FILE.maxBytes);
    expect(defined('SETTINGS_REFUSED_HINT')).toBe(SETTINGS_FILE.refusedHint);
    expect(defined('API_SERVER_MODULE')).toBe(API_SERVER_MODULE);
    expect({ message: defined('HOME_OWNERSHIP_MESSAGE'), hint: defined('HOME_OWNERSHIP_HINT') }).toEqual(
      HOME_OWNERSHIP,
    );
  });

  it('the clouds the installer installs are the ones the server offers to add (src/sky/clouds.ts), and real extras', () => {
    const extras = defined('CLOUD_EXTRAS')?.split(' ') ?? [];
    expect([...extras].sort()).toEqual([...ADDABLE_CLOUD_IDS].sort());
    expect(SKYPILOT_CLOUD_EXTRAS).toEqual(expect.arrayContaining(extras));
    // The stand-in uv warns about any other extra, as uv does: it knows every real one.
    const standinExtras = /^SKYPILOT_EXTRAS="(.*)"$/m
      .exec(readFileSync(join(STANDINS_DIR, 'uv'), 'utf8'))?.[1]
      ?.split(' ');
    expect(standinExtras).toEqual(expect.arrayContaining([...SKYPILOT_CLOUD_EXTRAS]));
  });

  it('a settings.json of another form stops the installer with code settings, in the words the server uses for it', async () => {
    const home = join(root, 'settings-refused');
    markedHome(home);
    writeFileSync(layoutOf(home).settings, '{"HTTPS_PROXY": "http://127.0.0.1:9"}\n');
    const { stdout, status } = await installer(home).done;
    expect(status).toBe(INSTALLER_EXIT_STATUS.settings);
    const last = parseInstallerLine(stdout.trim().split('\n').at(-1) ?? '');
    const { read } = readSettingsFile(layoutOf(home).settings, null);
    expect(read?.problem).not.toBeNull();
    expect({ code: last?.code, message: last?.message, hint: last?.hint }).toEqual(read?.problem);
  });

  it("settings.json is written in lines of SETTINGS_LINE's shape, and the installer reads them", async () => {
    const home = join(root, 'settings');
    markedHome(home);
    // A mirror that refuses: the installer says it used it, and stops there.
    const refused = 'http://127.0.0.1:9/saved-in-settings';
    new Settings(layoutOf(home), {}).save({
      values: { CARAPACE_UV_MIRROR: refused, HTTPS_PROXY: 'http://127.0.0.1:9' },
    });
    const line = (name: string, value: string) => SETTINGS_LINE.replace('NAME', name).replace('VALUE', value);
    expect(readFileSync(layoutOf(home).settings, 'utf8')).toBe(
      [
        '{',
        line('CARAPACE_UV_MIRROR', refused),
        line('HTTPS_PROXY', 'http://127.0.0.1:9').replace(/,$/, ''),
        '}\n',
      ].join('\n'),
    );
    const { stdout, status } = await installer(home, [], { CARAPACE_UV_MIRROR: '' }).done;
    expect(status).toBe(INSTALLER_EXIT_STATUS.network);
    expect(parseInstallerLine(stdout.trim().split('\n').at(-1) ?? '')?.message).toContain('127.0.0.1:9');
    const log = readFileSync(layoutOf(home).installLog, 'utf8');
    expect(log).toContain(`settings: CARAPACE_UV_MIRROR from ${layoutOf(home).settings}`);
    expect(log).toContain(`download ${refused}/`);
  });

  it("both find SkyPilot's local API server by API_SERVER_MODULE in its command line, and the installer stops it", async () => {
    const home = join(root, 'api-server');
    markedHome(home);
    // Posing as `<python> -m sky.server.server`, the python of an environment in the home, as
    // SkyPilot starts it (a script: its interpreter in front; the `:` keeps sh from exec'ing sleep).
    const python = `${home}/tools/bin/python`;
    mkdirSync(`${home}/tools/bin`, { recursive: true });
    writeFileSync(python, '#!/bin/sh\nsleep 60; :\n', { mode: 0o755 });
    const server = spawn(python, [...API_SERVER_MODULE.split(' '), '--host=127.0.0.1'], { stdio: 'ignore' });
    try {
      await until(async () => (await localApiServerPids(home)).includes(server.pid ?? -1), 'the server to see it');
      const { stdout, status } = await installer(home, ['--uninstall']).done;
      expect(status).toBe(0);
      expect(stdout).toContain("[carapace] checking: SkyPilot's local API server is stopped");
      expect(server.exitCode ?? server.signalCode).not.toBeNull();
      expect(await localApiServerPids(home)).toEqual([]);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('the server and the installer use the same SkyPilot versions found on PATH', () => {
    // The same table as test-bats/real-programs.bats, "which SkyPilot versions on PATH are used".
    const used = ['0.10.0', '0.10.5', '0.11.2', '1.0.0.dev20250601', '1.0.0.dev20261120', '1.0.0-dev0'];
    const refused = ['0.9.3', '0.6.1', '1.0.0.dev20250420', 'unknown'];
    expect(used.filter(skypilotIsSupported)).toEqual(used);
    expect(refused.filter(skypilotIsSupported)).toEqual([]);
  });
});
