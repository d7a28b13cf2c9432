import { describe, expect, it } from 'vitest';
import { parseInstallerLine } from '../../src/installer/lines.js';

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
