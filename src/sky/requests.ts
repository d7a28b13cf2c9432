/**
 * SkyPilot's requests: what runs in its API server. A long command (a launch, a
 * teardown) is a request there, which goes on whatever happens to the sky process
 * that made it, and ends with `sky api stop`.
 *
 * - Request ids are uuid4 strings (sky/server/requests/requests.py, get_new_request_id:
 *   str(uuid.uuid4())). Only that shape is passed back to sky, after `--`, so that
 *   nothing read from sky's output can become an option (`--all-users`).
 * - `sky api status` (sky/client/cli/command.py, api_status) lists the requests still
 *   PENDING or RUNNING: a table ID, User, Name, Created, Status (prettytable, found by
 *   its header names), or a row of dashes when there is none; fixtures in
 *   test/fixtures/real/sky-api-status*.txt.
 */
import { plainLines } from './text.js';

export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ApiRequest {
  id: string;
  user: string;
  /** The request's name, e.g. sky.launch. */
  name: string;
  status: string;
}

const COLUMNS = ['ID', 'User', 'Name', 'Created', 'Status'];

/** The requests `sky api status` listed; null when it printed no table this can read. */
export function parseApiStatus(stdout: string): ApiRequest[] | null {
  const lines = plainLines(stdout);
  const headerIndex = lines.findIndex((line) => /^ID\s+User\s+Name\s/.test(line));
  const header = lines[headerIndex];
  if (header === undefined) return null;
  const starts = COLUMNS.map((column) => header.search(new RegExp(`(^|\\s)${column}(\\s|$)`)))
    .map((start) => (start <= 0 ? 0 : start + 1))
    .filter((start, i) => i === 0 || start > 0);
  if (starts.length !== COLUMNS.length) return null;
  const requests: ApiRequest[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') break;
    const cells = starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).trim());
    const [id = '', user = '', name = '', , status = ''] = cells;
    if (id === '-') continue;
    requests.push({ id, user, name, status });
  }
  return requests;
}

/** How a request is named to a person: its name and the start of its id, e.g. "sky.launch 2165a370". */
export function describeRequest(request: ApiRequest): string {
  return `${request.name} ${request.id.slice(0, 8)}${request.user && request.user !== '-' ? ` of ${request.user}` : ''}`;
}
