/**
 * Why a `sky` run failed, in Carapace's words, from what SkyPilot printed:
 * - the API server runs a version this client cannot talk to
 *   (sky/server/common.py: APIVersionMismatchError; sky/server/versions.py);
 * - the API server cannot be reached (ApiServerConnectionError) or asks for a login
 *   (ApiServerAuthenticationError: a 401, or /api/health answering needs_auth);
 * - the task asks for a cloud that is not enabled (sky/optimizer.py): where to see why;
 * - anything else: the last line that reads like an error.
 * Each names the API server sky used and says where its address comes from
 * (src/status/api-server.ts), so that the fix is made where it is set.
 */
import type { ErrorBody } from '../api.js';
import { posixQuote } from '../process/quote.js';
import { redactUrl } from '../redact.js';
import { type ApiServerEndpoint, withoutCredentials } from '../status/api-server.js';
import { plainLines, plainText } from './text.js';

/** The sky that ran, and the API server it used. */
export interface SkyTarget {
  sky: string;
  endpoint: ApiServerEndpoint;
}

export function skyFailure(what: string, stdout: string, stderr: string, { sky, endpoint }: SkyTarget): ErrorBody {
  const text = `${stderr}\n${stdout}`;
  const shown = redactUrl(endpoint.url);
  if (/APIVersionMismatchError|not compatible with the client/.test(text)) {
    return endpoint.team
      ? {
          code: 'sky-api-mismatch',
          message: `${what} failed: the team's SkyPilot API server at ${shown} runs a version this SkyPilot cannot talk to${mismatchReason(text)}.`,
          hint: 'Update SkyPilot in Carapace, or ask whoever runs the team server which version to use.',
        }
      : {
          code: 'sky-api-mismatch',
          message: `${what} failed: SkyPilot's local API server is still running an older version of SkyPilot.`,
          hint: 'Click Repair: it stops the old API server and reinstalls, and the next action starts a matching one.',
        };
  }
  if (/ApiServerAuthenticationError|Authentication required for SkyPilot API server/.test(text)) {
    const address = withoutCredentials(endpoint.url);
    const login = `${posixQuote(sky)} api login -e ${/^[\w.~:/@%+-]+$/.test(address) ? address : posixQuote(address)}`;
    return {
      code: 'sky-api-unauthorized',
      message: `${what} failed: the SkyPilot API server at ${shown} asks who you are (it is behind a login).`,
      hint: `Log in once in a terminal with: ${login} -- then retry.${endpoint.source === 'settings' ? ' A server with basic authentication also takes the user and password in the address in Network settings.' : ''}`,
    };
  }
  if (/ApiServerConnectionError|Could not connect to SkyPilot API server/.test(text)) {
    return {
      code: 'sky-api-unreachable',
      message: `${what} failed: the SkyPilot API server at ${shown} cannot be reached.`,
      hint: unreachableHint(endpoint),
    };
  }
  const notEnabled = CLOUD_NOT_ENABLED.exec(plainText(text));
  if (notEnabled) {
    const cloud = notEnabled[1] ?? 'The cloud';
    return endpoint.team
      ? {
          code: 'sky-failed',
          message: `${what} failed: ${cloud} is not enabled on the team's SkyPilot API server at ${shown}.`,
          hint: `Ask the team server's admin to enable ${cloud}, or choose another cloud.`,
        }
      : {
          code: 'sky-failed',
          message: `${what} failed: ${cloud} is not set up on this computer.`,
          hint: `See ${cloud} in the Clouds list for what it needs; once it is set up, Check Clouds and launch again.`,
        };
  }
  const reason = lastReason(text);
  return {
    code: 'sky-failed',
    message: `${what} failed${reason ? `: ${reason}` : ''}.`.replace(/\.\.$/, '.'),
    hint: 'See the output in the activity log; then try again.',
  };
}

/**
 * A launch on a cloud the last `sky check` where it runs left disabled (sky/optimizer.py,
 * _check_specified_clouds: "Task requires <cloud> which is not enabled. To enable access, ...").
 */
const CLOUD_NOT_ENABLED = /Task(?: [^\n]*?)? requires (\S+) which is not enabled/;

/** Where to fix the address of an API server that does not answer, by where it is set. */
function unreachableHint({ source, configFile }: ApiServerEndpoint): string {
  switch (source) {
    case 'environment':
      return "Check SKYPILOT_API_SERVER_ENDPOINT in Carapace's environment and that the server runs, then retry.";
    case 'settings':
      return 'Check the team server address in Network settings and that the server is running, then retry.';
    case 'config':
      return `Check api_server.endpoint in ${configFile ?? "sky's config file"} (sky api login writes it to ~/.sky/config.yaml) and that the server runs, then retry.`;
    case 'default':
      return 'Retry; if it fails again, click Repair.';
  }
}

/**
 * What sky prints when it starts its local API server, which is no failure: the first sky
 * run after an install or an Add prints it (sky/server/common.py, _start_api_server).
 */
const API_SERVER_STARTING = /^Failed to connect to SkyPilot API server at \S+\. Starting a local server\.$/;

/** The last line that reads like an error, or ''. */
export function lastReason(text: string): string {
  const lines = plainLines(text)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !API_SERVER_STARTING.test(line));
  return [...lines].reverse().find((line) => /error|reason|failed|denied|not found/i.test(line)) ?? '';
}

/** SkyPilot's own words after APIVersionMismatchError (sky/server/versions.py), on one line. */
function mismatchReason(text: string): string {
  const after = plainText(text).split('APIVersionMismatchError:')[1];
  if (!after) return '';
  const words = after
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^pip install/.test(line))
    .join(' ')
    .replace(/[.:]$/, '');
  return words ? ` (SkyPilot says: ${words})` : '';
}
