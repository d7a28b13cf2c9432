/**
 * The token every API request must carry (as Jupyter does): any program on this
 * machine -- and, bound to a non-loopback address, on the network -- can reach the
 * server and forge a Host header, but not read a file private to this user. The
 * token is made once and kept 0600 in CARAPACE_HOME. It travels only as
 * `Authorization: Bearer`, never in a cookie: a browser sends the cookies of
 * 127.0.0.1 to every port on it (another local server would receive the token), and
 * a page on another port can set them. The page keeps the token, taken from the
 * printed link, in its own sessionStorage (src/../public), which only this origin reads.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { lstatSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Layout } from '../contract.js';
import { readSmallFile, writeSmallFile } from '../status/files.js';

const TOKEN = /^[A-Za-z0-9._~-]{16,256}$/;

/** The token to ask for: the configured one, else the kept one, else a new one kept for the next start. */
export function loadToken(layout: Layout, configured: string | null): string {
  if (configured) return configured;
  const kept = readSmallFile(layout.token, 1024)?.trim();
  if (kept && TOKEN.test(kept)) {
    // Kept readable by others (copied in by hand, say): written again 0600, through no link.
    if ((lstatSync(layout.token).mode & 0o777) !== 0o600) writeSmallFile(layout.token, `${kept}\n`, 0o600);
    return kept;
  }
  const token = randomBytes(24).toString('hex');
  writeSmallFile(layout.token, `${token}\n`, 0o600);
  return token;
}

export class TokenCheck {
  private readonly expected: Buffer;

  constructor(readonly token: string) {
    this.expected = Buffer.from(token);
  }

  matches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }

  /** Whether a request carries the token: `Authorization: Bearer <token>`, and nothing else counts. */
  carried(req: IncomingMessage): boolean {
    const authorization = req.headers.authorization;
    return authorization?.startsWith('Bearer ') === true && this.matches(authorization.slice(7).trim());
  }
}
