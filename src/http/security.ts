/**
 * This server can start paid cloud machines, and any web page the user visits --
 * or any program on this machine -- can send it requests. So, before any route:
 * - requests no browser sends are refused: several Host headers, absolute-form
 *   targets (`GET http://...`), bodies on DELETE;
 * - the Host header must name this server (against DNS rebinding);
 * - API requests must carry the token (src/http/token.ts) and come from this
 *   server's own page: `Sec-Fetch-Site` other than same-origin/none is refused, and
 *   so is another Origin on anything but GET; a wrong token is answered late;
 * - request bodies are JSON only: every POST says `Content-Type: application/json`
 *   (a form or a `text/plain` beacon cannot), with no other Content-Encoding.
 * No CORS header is ever sent. Only GET of the page and its files skips the API rules.
 * Every answer carries SECURITY_HEADERS.
 */
import type { IncomingMessage } from 'node:http';
import { CarapaceError } from '../errors.js';
import type { TokenCheck } from './token.js';

/**
 * Sent with every answer. The page is ES modules from this server and no inline
 * script or style, so it needs nothing but 'self'; no other site may frame it (a
 * click on a hidden Carapace could start a paid machine); nothing is sniffed into
 * a type it was not sent as. A window another site opens on the page is cut from
 * its opener (COOP): the opener gets no handle on it to steer or reload it under
 * the user's clicks. And nothing is kept in the browser's cache: not the page, its
 * files or any answer.
 */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
} as const;

export class HostPolicy {
  private hosts = new Set<string>();

  /**
   * @param bindHost the address the server listens on
   * @param extraHosts more host[:port] names to accept (a container's published name)
   */
  constructor(
    private readonly bindHost: string,
    private readonly extraHosts: string[] = [],
  ) {}

  /** Called once the port is known. */
  setPort(port: number): void {
    const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
    if (!['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(this.bindHost)) {
      names.add(this.bindHost.includes(':') ? `[${this.bindHost}]` : this.bindHost);
    }
    this.hosts = new Set([...names].map((name) => `${name}:${port}`));
    // On http's own port a browser names the host alone, in Host and in Origin.
    if (port === 80) for (const name of names) this.hosts.add(name);
    for (const extra of this.extraHosts) this.hosts.add(extra.toLowerCase());
  }

  allowsHost(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  allowsOrigin(origin: string): boolean {
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.hosts.has(url.host.toLowerCase());
    } catch {
      return false;
    }
  }
}

/** The page and its files: the only requests that need no token. */
export function isPageRequest(method: string | undefined, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/' || /^\/[A-Za-z0-9_-]+\.(?:js|css|html|svg|png|ico)$/.test(path);
}

/** Routes anyone may ask, without the token (a container's health check). */
const OPEN_ROUTES = new Set(['/health']);

function forbidden(message: string, hint: string): CarapaceError {
  return new CarapaceError('forbidden', message, hint, 403);
}

function refused(message: string): CarapaceError {
  return new CarapaceError('invalid-request', message, 'Send the request as a browser would.', 400);
}

export interface Refusal {
  error: CarapaceError;
  /** How long to wait before answering (a wrong token), in ms. */
  delayMs: number;
}

export interface GuardOptions {
  hosts: HostPolicy;
  /** null when the token is turned off (CARAPACE_AUTH=off, loopback only). */
  token: TokenCheck | null;
}

/** Why this request must not reach any route, and when to say so; or null. `path` is the target's path. */
export function refusal(req: IncomingMessage, path: string, { hosts, token }: GuardOptions): Refusal | null {
  const url = req.url ?? '';
  if (!url.startsWith('/')) return atOnce(refused('The request target must be a path, not a full address.'));
  let hostHeaders = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') hostHeaders += 1;
  }
  if (hostHeaders !== 1) return atOnce(refused('A request must have exactly one Host header.'));
  if (!hosts.allowsHost(req.headers.host)) {
    return atOnce(
      forbidden(
        `Requests must be addressed to this server by its local name, not "${req.headers.host ?? ''}".`,
        'Open Carapace at http://127.0.0.1 or http://localhost with its port.',
      ),
    );
  }
  if (isPageRequest(req.method, path) || OPEN_ROUTES.has(path)) return null;

  const site = req.headers['sec-fetch-site'];
  const siteValue = (Array.isArray(site) ? site.join(',') : (site ?? '')).toLowerCase();
  if (siteValue !== '' && siteValue !== 'same-origin' && siteValue !== 'none') {
    return atOnce(forbidden('This request came from another web site.', 'Use the Carapace page itself to do this.'));
  }
  const origin = req.headers.origin;
  if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !hosts.allowsOrigin(origin)) {
    return atOnce(forbidden('This request came from another web site.', 'Use the Carapace page itself to do this.'));
  }
  const verdict = token ? token.verdict(req) : 'right';
  if (verdict !== 'right') {
    const error = new CarapaceError(
      'unauthorized',
      "This request does not carry Carapace's token.",
      'Open Carapace with the link it printed when it started (it holds the token), or send "Authorization: Bearer <token>".',
      401,
    );
    // A wrong token waits, longer each time (src/http/token.ts); a missing one is the page before its login.
    return { error, delayMs: verdict === 'wrong' && token ? token.wrongDelay.next() : 0 };
  }
  const body = bodyRefusal(req);
  return body ? atOnce(body) : null;
}

function atOnce(error: CarapaceError): Refusal {
  return { error, delayMs: 0 };
}

function bodyRefusal(req: IncomingMessage): CarapaceError | null {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    return new CarapaceError(
      'unsupported-media-type',
      `Request bodies must not be compressed (Content-Encoding: ${encoding}).`,
      'Send the JSON body as it is.',
      415,
    );
  }
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') {
    return hasBody ? refused(`A ${req.method} request has no body.`) : null;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return new CarapaceError(
      'unsupported-media-type',
      'Requests that change something must send a JSON body.',
      'Send Content-Type: application/json, with {} when there is nothing to say.',
      415,
    );
  }
  return null;
}
