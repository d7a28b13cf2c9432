// @ts-check
/**
 * Calls to the Carapace server, each with the token as `Authorization: Bearer`.
 * The token is this tab's: from the link Carapace printed, or pasted into the login card.
 */

/** @typedef {import('../src/api.js').ErrorBody} ErrorBody */

/** The token, kept for this tab only: sessionStorage is read by this origin (scheme, host and port) alone. */
const TOKEN_KEY = 'carapace.token';

/** The token this tab was given. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** @param {string} given */
export function keepToken(given) {
  sessionStorage.setItem(TOKEN_KEY, given);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * The printed link carries the token in its fragment (`/#token=…`), which a browser never
 * sends to the server: keep it for this window, and take it out of the address bar and of
 * this tab's history entry.
 */
export function takeTokenFromAddress() {
  const given = new URLSearchParams(location.hash.slice(1)).get('token');
  if (given === null) return;
  keepToken(given);
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

/** What to do when the server refuses the token (set by the page at start). */
let onUnauthorized = () => {};

/** @param {() => void} handler */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/**
 * A call to the server: a JSON body for anything that changes something ({} when there is nothing to say).
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<{ok: boolean, status: number, body: any}>}
 */
export async function call(method, path, body) {
  const sends = method !== 'GET' && method !== 'DELETE';
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token()}` };
  if (sends) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: sends ? JSON.stringify(body ?? {}) : undefined });
  if (response.status === 401) onUnauthorized();
  return { ok: response.ok, status: response.status, body: await response.json() };
}

/**
 * The answer's body, or a throw of its error body.
 * @param {{ok: boolean, body: any}} result
 */
export function orThrow(result) {
  if (!result.ok) throw result.body;
  return result.body;
}

/**
 * Whatever was thrown, as an error body: the server's, or one that says Carapace did not answer.
 * @param {unknown} error @returns {ErrorBody}
 */
export function asErrorBody(error) {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error)
    return /** @type {ErrorBody} */ (error);
  return {
    code: 'internal',
    message: String(error),
    hint: 'Check that Carapace is still running, then retry.',
  };
}
