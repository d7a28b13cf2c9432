/**
 * The one parser of the installer's output grammar (written by `emit` in
 * scripts/install-skypilot.sh):
 *
 *   [carapace] <phase>[ <percent>%][ bytes=<done>[/<total>]][ code=<code>]: <message>
 *
 * Error messages read "<problem>. What to do: <hint> Full log: <path>".
 */
import type { InstallEvent } from '../api.js';
import { PHASES, type Phase } from '../contract.js';
import { isInstallerErrorCode } from '../errors.js';

const LINE = new RegExp(
  `^\\[carapace\\] (${PHASES.join('|')})(?: (\\d{1,3})%)?(?: bytes=(\\d+)(?:/(\\d+))?)?(?: code=([a-z-]+))?: (.*)$`,
);
const ERROR_PARTS = /^(.*?)\. What to do: (.*?)(?: Full log: (.+))?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this removes
const ANSI = /\u001b\[[0-9;]*m/g;

/** The event on one stdout line, or null for a line outside the grammar. */
export function parseInstallerLine(raw: string): InstallEvent | null {
  const match = LINE.exec(raw.replace(ANSI, '').replace(/\r$/, ''));
  if (!match) return null;
  const [, phase, percent, bytes, total, code, text = ''] = match;
  if (code !== undefined && !isInstallerErrorCode(code)) return null;
  const event: InstallEvent = {
    phase: phase as Phase,
    percent: percent === undefined ? null : Math.min(100, Number(percent)),
    bytes: bytes === undefined ? null : Number(bytes),
    total: total === undefined ? null : Number(total),
    code: code ?? null,
    message: text,
    hint: null,
    log: null,
  };
  if (phase === 'error') {
    const parts = ERROR_PARTS.exec(text);
    if (parts) {
      event.message = `${parts[1]}.`;
      event.hint = parts[2] ?? null;
      event.log = parts[3] ?? null;
    }
  }
  return event;
}
