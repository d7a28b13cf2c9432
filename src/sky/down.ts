/**
 * What `sky down -y NAME` printed (sky/client/cli/command.py, _down_or_stop_clusters).
 * Its exit status says little: a RuntimeError prints "Terminating cluster NAME...failed.",
 * but a cloud error, an unsupported operation or an owner mismatch prints only the
 * error's text, then "Cluster(s) failed. See details above. ...", and exits 0. So the
 * caller confirms with `sky status NAME` before saying the cluster is gone.
 */
import { plainLines } from './text.js';

export type DownReport = { outcome: 'done' } | { outcome: 'not-found' } | { outcome: 'failed'; reason: string };

export function parseSkyDown(name: string, stdout: string, stderr: string): DownReport {
  const lines = plainLines(stdout).map((line) => line.trim());
  if (lines.includes(`Terminating cluster ${name}...done.`)) return { outcome: 'done' };
  if (lines.some((line) => line.startsWith('Cluster(s) not found'))) return { outcome: 'not-found' };
  const failedAt = lines.findIndex((line) => line.startsWith(`Terminating cluster ${name}...failed.`));
  if (failedAt >= 0) {
    const reason = lines.slice(failedAt + 1).find((line) => line.startsWith('Reason: '));
    return { outcome: 'failed', reason: reason?.slice('Reason: '.length) ?? 'SkyPilot did not say why' };
  }
  const summary = lines.findIndex((line) => line.startsWith('Cluster(s) failed.'));
  const before = (summary >= 0 ? lines.slice(0, summary) : lines).filter(Boolean);
  const errorText = plainLines(stderr)
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  return { outcome: 'failed', reason: before.at(-1) ?? errorText ?? 'SkyPilot did not say why' };
}
