/**
 * The one parser of the installer's output grammar (README, "Output"):
 *
 *   [carapace] <phase>[ <percent>%][ code=<code>]: <message>
 *
 * Error messages read "<problem>. What to do: <hint> Full log: <path>".
 */
import { type InstallerErrorCode, isInstallerErrorCode } from '../errors.js';

export const PHASES = ['checking', 'downloading', 'installing', 'verifying', 'complete', 'error'] as const;
export type Phase = (typeof PHASES)[number];

export interface InstallEvent {
  phase: Phase;
  /** 0-100, on download progress lines. */
  percent: number | null;
  code: InstallerErrorCode | null;
  message: string;
  /** On error lines: what to do next. */
  hint: string | null;
  /** On error lines: the log with the full detail. */
  log: string | null;
}

const LINE =
  /^\[carapace\] (checking|downloading|installing|verifying|complete|error)(?: (\d{1,3})%)?(?: code=([a-z-]+))?: (.*)$/;
const ERROR_PARTS = /^(.*?)\. What to do: (.*?)(?: Full log: (.+))?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this removes
const ANSI = /\u001b\[[0-9;]*m/g;

/** The event on one stdout line, or null for a line outside the grammar. */
export function parseInstallerLine(raw: string): InstallEvent | null {
  const match = LINE.exec(raw.replace(ANSI, '').replace(/\r$/, ''));
  if (!match) return null;
  const [, phase, percent, code, text] = match as unknown as [
    string,
    Phase,
    string | undefined,
    string | undefined,
    string,
  ];
  if (code !== undefined && !isInstallerErrorCode(code)) return null;
  const event: InstallEvent = {
    phase,
    percent: percent === undefined ? null : Math.min(100, Number(percent)),
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
