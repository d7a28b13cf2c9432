/**
 * What must never be shown back: the user name and password of an address. A
 * team's API server, a proxy or a package index may carry them (`user:password@`,
 * or a token as the user name), and SkyPilot, uv and the installer print addresses
 * as they are. Every way out of the server (events, snapshots, JSON answers, the
 * status, the install log) goes through this one function.
 *
 * The rule, for text that may hold any number of addresses:
 * - an address starts with a scheme and its colon, then any number of `/`:
 *   `scheme://` as usual, but also `https:user:pw@host` and `http:/user:pw@host`,
 *   which the programs that read these settings take as an authority all the same
 *   (the WHATWG URL standard, and so uv, for http(s) with any number of slashes;
 *   curl's lib/urlapi.c with one to three, and with none reads the whole of
 *   `https:user:pw@host` as an authority, user `https`, password `user:pw`; so does
 *   Python's urllib for a proxy, `_parse_proxy`);
 * - its authority runs to the first `/`, `?` or `#` after that, or to the end of
 *   the line (any control character): both RFC 3986 and the WHATWG URL standard
 *   end it there, and so does Python's urllib, which SkyPilot and its clients use;
 * - if the authority holds an `@`, all of it before the LAST `@` is the userinfo,
 *   whatever it holds (`:`, `@`, spaces), and is shown as `***`: `scheme://***@host`.
 * So a password with a space reaches at most to the end of its line or the first
 * `/`, `?` or `#` -- and an `@` later on that stretch is taken for the end of a
 * userinfo, hiding more than needed (`http://h.example and root@x` shows as
 * `http://***@x`) rather than less: the text cannot tell `http://u:a b@x` from it.
 * Without a slash after the colon, text is mostly prose (`Error: see root@x`,
 * `at 12:30:45 user@host`), so there an address must start right after the colon,
 * and it is one word (a space ends it) unless its scheme is http, https, ws, wss or
 * ftp, whose slash-less form WHATWG reads as an authority, spaces included.
 * The scan is by hand, not by WHATWG's `URL`: WHATWG also ends an http(s) authority
 * at `\`, where urllib and curl do not, so its reading could leave part of a
 * password that SkyPilot reads. What the rule cannot find is a password holding a
 * raw `/`, `?` or `#` (no parser reads one there either; it must be written `%2F`),
 * and a space in the password of a slash-less address of another scheme
 * (`socks5h:u:a b@host`). An address with no scheme at all shows its user name:
 * `user:pw@host` is read as scheme `user`, and shows as `user:***@host`.
 */

/** WHATWG's special schemes but file: an authority follows their colon, slashes or not. */
const AUTHORITY_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** A letter, a digit, `+`, `.` or `-`. */
function isSchemeCharacter(code: number): boolean {
  return isLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2e || code === 0x2d;
}

/** `/`, `?`, `#` and control characters end an authority; in a one-word address, a space too. */
function endsAuthority(code: number, oneWord: boolean): boolean {
  return code === 0x2f || code === 0x3f || code === 0x23 || code < 0x20 || code === 0x7f || (oneWord && code === 0x20);
}

/**
 * The first position at or after `from` that ends an authority, for each kind of
 * address: both only move forward, so that a line is walked once however many
 * colons it holds (a scan from each colon would take quadratic time on long words).
 */
class AuthorityEnds {
  private readonly next = [-1, -1];

  constructor(private readonly text: string) {}

  from(from: number, oneWord: boolean): number {
    const kind = oneWord ? 1 : 0;
    let end = this.next[kind] ?? -1;
    if (end >= from) return end;
    end = from;
    while (end < this.text.length && !endsAuthority(this.text.charCodeAt(end), oneWord)) end += 1;
    this.next[kind] = end;
    return end;
  }
}

/** The text with the userinfo of every address in it shown as `***`. */
export function redactUrl(text: string): string {
  // A userinfo ends with an @: text without one, nearly all of it, costs one scan.
  if (!text.includes('@')) return text;
  const ends = new AuthorityEnds(text);
  let shown = '';
  let copied = 0;
  let at = -1;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    // The scheme: the run of scheme characters before the colon, from its first letter.
    let scheme = colon;
    while (scheme > copied && isSchemeCharacter(text.charCodeAt(scheme - 1))) scheme -= 1;
    while (scheme < colon && !isLetter(text.charCodeAt(scheme))) scheme += 1;
    if (scheme === colon) continue;
    let start = colon + 1;
    while (text.charCodeAt(start) === 0x2f) start += 1;
    const slashless = start === colon + 1;
    if (slashless && (start === text.length || text.charCodeAt(start) === 0x20)) continue;
    const oneWord = slashless && !AUTHORITY_SCHEMES.has(text.slice(scheme, colon).toLowerCase());
    // The next @, looked for again only once passed.
    if (at < start) at = text.indexOf('@', start);
    if (at < 0) break;
    const end = ends.from(start, oneWord);
    if (at >= end) continue;
    const last = text.lastIndexOf('@', end - 1);
    shown += `${text.slice(copied, start)}***`;
    copied = last;
    // Go on after the userinfo: nothing in it starts another address.
    colon = last;
  }
  return copied === 0 ? text : shown + text.slice(copied);
}

/** A JSON.stringify replacer (Express's `json replacer` too): every string redacted. */
export function withoutCredentials(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redactUrl(value) : value;
}

/**
 * JSON.stringify, without credentials: the JSON of what leaves the server. An
 * address with a userinfo has an `@`, which JSON keeps as it is: JSON without one
 * (nearly every installer line) is sent as it was serialized.
 */
export function jsonWithoutCredentials(value: object): string {
  const json = JSON.stringify(value);
  return json.includes('@') ? JSON.stringify(value, withoutCredentials) : json;
}
