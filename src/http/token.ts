/**
 * The token every API request must carry (as Jupyter does): any program on this
 * machine -- and, bound to a non-loopback address, on the network -- can reach the
 * server and forge a Host header, but not read a file private to this user. The
 * token is made once and kept 0600 in CARAPACE_HOME; the page trades it, from the
 * link the server prints, for an HttpOnly, SameSite=Strict cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, openSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Layout } from '../contract.js';
import { readSmallFile } from '../status/files.js';

export const TOKEN_COOKIE = 'carapace_token';
const TOKEN = /^[A-Za-z0-9._~-]{16,256}$/;

export function loadToken(layout: Layout, configured: string | null): string {
  if (configured) return configured;
  const kept = readSmallFile(layout.token, 1024)?.trim();
  if (kept && TOKEN.test(kept)) {
    chmodSync(layout.token, 0o600);
    return kept;
  }
  const token = randomBytes(24).toString('hex');
  const fd = openSync(layout.token, 'w', 0o600);
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(layout.token, 0o600);
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

  /** The token a request carries: `Authorization: Bearer <token>`, or the page's cookie. */
  carried(req: IncomingMessage): boolean {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Bearer ') && this.matches(authorization.slice(7).trim())) return true;
    return this.matches(cookie(req, TOKEN_COOKIE));
  }

  setCookie(): string {
    return `${TOKEN_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`;
  }
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}
