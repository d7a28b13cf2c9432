/**
 * `sky launch --async`: its request id (sky/client/cli/command.py).
 *
 * With --async the CLI submits the launch to the API server and prints
 * "Submitted sky.launch request: <id>" (_async_call_or_wait); the launch then runs
 * on the API server whatever happens to the CLI, `sky api logs -- <id>` follows it,
 * and `sky api cancel -- <id>` cancels it. Only an id of SkyPilot's shape is taken
 * (src/sky/requests.ts), so that nothing else printed there can become an option.
 */
import { REQUEST_ID } from './requests.js';
import { plainLines } from './text.js';

const SUBMITTED = /^Submitted sky\.launch request: (\S+)\s*$/;

/** The request id an async launch printed, or null. */
export function parseLaunchRequestId(stdout: string): string | null {
  for (const line of plainLines(stdout)) {
    const id = SUBMITTED.exec(line.trim())?.[1];
    if (id !== undefined && REQUEST_ID.test(id)) return id;
  }
  return null;
}

/** `sky api logs <id>` of a cancelled request ends with RequestCancelled (sky/client/sdk.py, get). */
export function wasCancelled(stdout: string, stderr: string): boolean {
  return /RequestCancelled|is cancelled by another process/.test(`${stdout}\n${stderr}`);
}
