/**
 * What `sky down -y NAME` printed (sky/client/cli/command.py at f05838b4, _down_or_stop_clusters).
 * Its exit status says little: a RuntimeError prints "Terminating cluster NAME...failed."
 * and "Reason: <class>: <message>" (a teardown's message starts on the next line),
 * but an unsupported operation or an owner mismatch prints only the error's text, and it
 * exits 0 either way. So the caller confirms with `sky status NAME` before saying the
 * cluster is gone. Through a pipe, rich's progress display ends the output with its
 * final frame ("Terminating 1 cluster ━━━… 100% 0:00:00"), which is never the reason.
 */
import { plainLines } from './text.js';

export type DownReport = { outcome: 'done' } | { outcome: 'not-found' } | { outcome: 'failed'; reason: string };

/** The final frame of the progress display: its description, `<operation> N cluster(s)`, then the bar. */
const PROGRESS_FRAME = /^(Terminating|Stopping) \d+ clusters? /;

export function parseSkyDown(name: string, stdout: string, stderr: string): DownReport {
  const lines = plainLines(stdout)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !PROGRESS_FRAME.test(line));
  if (lines.includes(`Terminating cluster ${name}...done.`)) return { outcome: 'done' };
  if (lines.some((line) => line.startsWith('Cluster(s) not found'))) return { outcome: 'not-found' };
  const failedAt = lines.findIndex((line) => line.startsWith(`Terminating cluster ${name}...failed.`));
  if (failedAt >= 0) {
    const after = lines.slice(failedAt + 1);
    const at = after.findIndex((line) => line.startsWith('Reason: '));
    const reason = at >= 0 ? (after[at] ?? '').slice('Reason: '.length) : null;
    if (reason === null) return { outcome: 'failed', reason: 'SkyPilot did not say why' };
    // format_exception's `<class>: <message>`, where a message that starts on a new line
    // (a teardown failure) leaves the class alone on the Reason line.
    const message = reason.endsWith(':') ? after[at + 1] : undefined;
    return { outcome: 'failed', reason: message ? `${reason} ${message}` : reason };
  }
  const errorText = plainLines(stderr)
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  return { outcome: 'failed', reason: lines.at(-1) ?? errorText ?? 'SkyPilot did not say why' };
}
