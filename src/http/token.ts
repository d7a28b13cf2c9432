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
import { lstatSync, type Stats } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { TOKEN_FORM } from '../config.js';
import type { Layout } from '../contract.js';
import { readSmallFile, writeSmallFile } from '../status/files.js';

/** The token to ask for: the configured one, else the kept one, else a new one kept for the next start. */
export function loadToken(layout: Layout, configured: string | null): string {
  if (configured) return configured;
  const kept = keptToken(layout.token);
  if (kept) return kept;
  const token = randomBytes(24).toString('hex');
  writeSmallFile(layout.token, `${token}\n`, 0o600);
  return token;
}

/**
 * The token kept in `path`, unless it may be known to someone else: a file another
 * user owns (planted), or that group or others could read (as ssh refuses such a
 * private key), is taken as leaked and replaced, never adopted. The folder is the
 * user's alone (src/home.ts), so what is checked here is what is read.
 */
function keptToken(path: string): string | null {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) return null;
  const kept = readSmallFile(path, 1024)?.trim();
  return kept && TOKEN_FORM.test(kept) ? kept : null;
}

/** What a request says about the token: none, the right one, or another. */
export type TokenVerdict = 'missing' | 'right' | 'wrong';

export class TokenCheck {
  private readonly expected: Buffer;
  /** How long each wrong token waits for its answer. */
  readonly wrongDelay = new WrongTokenDelay();

  constructor(readonly token: string) {
    this.expected = Buffer.from(token);
  }

  matches(candidate: string): boolean {
    const given = Buffer.from(candidate);
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }

  /** `Authorization: Bearer <token>`, and nothing else counts. */
  verdict(req: IncomingMessage): TokenVerdict {
    const authorization = req.headers.authorization;
    const given = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    if (given === '') return 'missing';
    return this.matches(given) ? 'right' : 'wrong';
  }
}

const FIRST_WAIT_MS = 100;
const LONGEST_WAIT_MS = 10_000;
/** After this long without a wrong token, the next one waits the shortest time again. */
const QUIET_MS = 60_000;

/**
 * Repeated wrong tokens are answered ever more slowly: 0.1 s, 0.2 s, 0.4 s... up
 * to 10 s, until none has come for a minute. The count is the server's, not a
 * client's (every local program has the same address), and it never delays the
 * right token, so that a program guessing cannot lock the page out. What it slows
 * is a client that waits for each answer before its next guess; against many
 * guesses at once, what protects is the token's length (192 random bits, or at
 * least 32 characters given in CARAPACE_TOKEN).
 */
export class WrongTokenDelay {
  private count = 0;
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** A wrong token came now: how long its answer waits, in ms. */
  next(): number {
    const now = this.now();
    if (now - this.last > QUIET_MS) this.count = 0;
    this.last = now;
    this.count += 1;
    return Math.min(FIRST_WAIT_MS * 2 ** (this.count - 1), LONGEST_WAIT_MS);
  }
}
