/**
 * Why a `sky` run failed, in Carapace's words, from what SkyPilot printed:
 * - the local API server runs another version than this client
 *   (sky/server/common.py: APIVersionMismatchError, "is not compatible with the client");
 * - the API server cannot be reached (ApiServerConnectionError) or asks for a login
 *   (ApiServerAuthenticationError);
 * - anything else: the last line that reads like an error.
 */
import type { ErrorBody } from '../api.js';
import { redactUrl } from '../redact.js';
import { LOCAL_API_SERVER } from '../status/api-server.js';
import { plainLines, plainText } from './text.js';

export function skyFailure(what: string, stdout: string, stderr: string, teamServer: string | null): ErrorBody {
  const text = `${stderr}\n${stdout}`;
  if (/APIVersionMismatchError|not compatible with the client/.test(text)) {
    return teamServer
      ? {
          code: 'sky-api-mismatch',
          message: `${what} failed: the team's SkyPilot API server at ${redactUrl(teamServer)} runs a version this SkyPilot cannot talk to${mismatchReason(text)}.`,
          hint: 'Update SkyPilot in Carapace, or ask whoever runs the team server which version to use.',
        }
      : {
          code: 'sky-api-mismatch',
          message: `${what} failed: SkyPilot's local API server is still running an older version of SkyPilot.`,
          hint: 'Click Repair: it stops the old API server and reinstalls, and the next action starts a matching one.',
        };
  }
  if (/ApiServerAuthenticationError|Authentication required for SkyPilot API server/.test(text)) {
    const shown = redactUrl(teamServer ?? LOCAL_API_SERVER);
    return {
      code: 'sky-api-unauthorized',
      message: `${what} failed: the SkyPilot API server at ${shown} asks who you are (HTTP 401).`,
      hint: `Log in once in a terminal with "sky api login -e ${shown}", or put the user and password in the address in Settings; then retry.`,
    };
  }
  if (/ApiServerConnectionError|Could not connect to SkyPilot API server/.test(text)) {
    return {
      code: 'sky-api-unreachable',
      message: `${what} failed: the SkyPilot API server at ${redactUrl(teamServer ?? LOCAL_API_SERVER)} cannot be reached.`,
      hint: teamServer
        ? 'Check the team server address in Settings and that the server is running, then retry.'
        : 'Retry; if it fails again, click Repair.',
    };
  }
  const reason = lastReason(text);
  return {
    code: 'sky-failed',
    message: `${what} failed${reason ? `: ${reason}` : ''}.`.replace(/\.\.$/, '.'),
    hint: 'See the output in the activity log; then try again.',
  };
}

/** The last line that reads like an error, or ''. */
export function lastReason(text: string): string {
  const lines = plainLines(text)
    .map((line) => line.trim())
    .filter(Boolean);
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
