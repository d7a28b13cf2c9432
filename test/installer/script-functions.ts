/**
 * Parts of scripts/install-skypilot.sh run alone: its contract block and named functions,
 * under each shell it supports, so that a rule it shares with the server can be given the
 * same cases as the server's side.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { INSTALLER_SCRIPT } from '../../src/config.js';

const script = readFileSync(INSTALLER_SCRIPT, 'utf8');
const SECTION = '\n# ================================================================ ';

/** The shells the installer supports (test-bats/robustness.bats), as commands; those not installed are left out. */
export const SHELLS: string[][] = [
  ['dash'],
  ['bash', '--posix'],
  ['busybox', 'sh'],
  ['posh'],
  ['mksh'],
  ['yash'],
  ['zsh', '--emulate', 'sh'],
].filter(([command]) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0);

/** The script's contract block, then the named functions, as they are in the script. */
export function scriptParts(...names: string[]): string {
  const start = script.indexOf(`${SECTION}the contract\n`);
  const contract = script.slice(start, script.indexOf(SECTION, start + 1));
  const functions = names.map((name) => {
    const begin = script.indexOf(`\n${name}() {\n`);
    if (begin < 0) throw new Error(`the script has no function ${name}`);
    return script.slice(begin, script.indexOf('\n}\n', begin) + 3);
  });
  return [contract, ...functions].join('\n');
}

/** Runs `program` (shell text) after the parts, under a shell, with arguments; its stdout. */
export function runScriptParts(shell: string[], parts: string, program: string, args: string[] = []): string {
  const [command = 'sh', ...options] = shell;
  const result = spawnSync(command, [...options, '-c', `set -u\n${parts}\n${program}`, 'sh', ...args], {
    encoding: 'utf8',
    // No HOME and no stdin: bash reads no ~/.bashrc (it does for a stdin it takes for a remote shell's).
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (result.status !== 0 && result.stdout === '') throw new Error(`${shell.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
