/**
 * `sky launch`: its request id and its exit status (sky/client/cli/command.py).
 *
 * With --async the CLI submits the launch to the API server and prints
 * "Submitted sky.launch request: <id>" (_async_call_or_wait); the launch then runs
 * on the API server whatever happens to the CLI, `sky api logs <id>` follows it,
 * and `sky api cancel <id>` cancels it. Without --async the exit status is the
 * job's (sky/skylet/job_lib.py, JobExitCode).
 */
import { plainLines } from './text.js';

const SUBMITTED = /^Submitted sky\.launch request: ([0-9a-zA-Z-]+)\s*$/;

/** The request id an async launch printed, or null. */
export function parseLaunchRequestId(stdout: string): string | null {
  for (const line of plainLines(stdout)) {
    const match = SUBMITTED.exec(line.trim());
    if (match) return match[1] ?? null;
  }
  return null;
}

/** What `sky launch`'s exit status says when it is not 0: it is the job's status. */
export const LAUNCH_EXIT: Record<number, string> = {
  100: 'the server started but its job failed',
  101: 'the server started but its job did not finish',
  102: 'the job was not found',
  103: 'the job was cancelled',
};

/** `sky api logs <id>` of a cancelled request ends with RequestCancelled (sky/client/sdk.py, get). */
export function wasCancelled(stdout: string, stderr: string): boolean {
  return /RequestCancelled|is cancelled by another process/.test(`${stdout}\n${stderr}`);
}
