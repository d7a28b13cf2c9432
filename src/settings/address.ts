/**
 * How Carapace reads an address it or uv downloads from, and the team's API server:
 * the rule of scripts/install-skypilot.sh (read_address), which test/installer/
 * addresses.test.ts holds both sides to, case by case.
 *
 * The programs that use an address read it differently where it is ambiguous, so an
 * ambiguous one is refused rather than read one way:
 * - curl (lib/urlapi.c, parseurl) ends the authority at the first `/`, `?` or `#`, and
 *   takes the userinfo up to its FIRST `@` (parse_hostname_login); this module's
 *   redaction (src/redact.ts) hides up to the LAST: an authority with two `@` is refused;
 * - wget (src/url.c, url_skip_credentials) also ends a userinfo at `;`: refused there;
 * - uv's URL parser (WHATWG) ends the host at `\`, where curl and Python do not: refused,
 *   as are spaces, quotes and anything outside printable ASCII;
 * - the host is a name (letters, digits, `.`, `-`, `_`), an IPv4 address or a bracketed
 *   IPv6 address, with an optional port (digits, at most 65535).
 * Plain http is allowed only to this machine: `localhost`, `[::1]` or 127.x.y.z written in
 * decimal without leading zeros (curl reads `0177.0.0.1` or `2130706433` as 127.0.0.1 too,
 * but they are refused rather than guessed at).
 */

export type Address =
  | {
      ok: true;
      scheme: 'http' | 'https';
      /** The host is this machine's. */
      loopback: boolean;
      /** It holds a user name (and maybe a password). */
      userinfo: boolean;
      /** host[:port], as written. */
      hostport: string;
      /** The address with its user name and password shown as ***. */
      shown: string;
    }
  | { ok: false; why: string };

export const ADDRESS_REFUSALS = {
  characters: 'it holds a space, a quote, a backslash or a character that is not printable ASCII',
  scheme: 'it is not an http:// or https:// address',
  userinfo: 'its user name or password holds an @ or a ;, which must be written %40 or %3B',
  host: 'its host is empty or not a host name, IP address or port',
  plainHttp: 'plain http:// is allowed only to this machine (127.0.0.1, localhost or [::1])',
  teamCredentials: 'a user name or password may not be sent over plain http://',
} as const;

const OCTET = /^(?:\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/;

export function readAddress(text: string): Address {
  if (!/^[!-~]+$/.test(text) || /["\\]/.test(text)) return { ok: false, why: ADDRESS_REFUSALS.characters };
  const scheme = /^(https?):\/\//i.exec(text);
  if (!scheme?.[1]) return { ok: false, why: ADDRESS_REFUSALS.scheme };
  const written = text.slice(0, scheme[1].length);
  const afterScheme = text.slice(scheme[0].length);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  const rest = afterScheme.slice(authority.length);
  const at = authority.indexOf('@');
  if (at >= 0 && (authority.indexOf('@', at + 1) >= 0 || authority.slice(0, at).includes(';'))) {
    return { ok: false, why: ADDRESS_REFUSALS.userinfo };
  }
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  const bracketed = /^(\[[^\]]*\])(.*)$/.exec(hostport);
  const host = bracketed?.[1] ?? hostport.split(':', 1)[0] ?? '';
  const port = hostport.slice(host.length);
  const hostIsValid = bracketed ? /^\[[0-9A-Fa-f:.]+\]$/.test(host) : /^[A-Za-z0-9._-]+$/.test(host);
  const portIsValid = port === '' || port === ':' || (/^:\d{1,5}$/.test(port) && Number(port.slice(1)) <= 65535);
  if (!hostIsValid || !portIsValid) return { ok: false, why: ADDRESS_REFUSALS.host };
  const quad = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  const loopback =
    /^localhost$/i.test(host) || host === '[::1]' || (quad?.slice(1).every((part) => OCTET.test(part)) ?? false);
  return {
    ok: true,
    scheme: scheme[1].toLowerCase() as 'http' | 'https',
    loopback,
    userinfo: at >= 0,
    hostport,
    shown: `${written}://${at >= 0 ? '***@' : ''}${hostport}${rest}`,
  };
}

/**
 * An address Carapace or uv downloads from (a mirror, an index) or the team's API server:
 * https, or plain http to this machine only; a user name or password is refused over
 * plain http when `noPlainCredentials` (the team's server: its clients send it in every
 * request). Returns why it is refused, or null.
 */
export function refusedAddress(text: string, noPlainCredentials = false): string | null {
  const address = readAddress(text);
  if (!address.ok) return address.why;
  if (address.scheme === 'https') return null;
  if (!address.loopback) return ADDRESS_REFUSALS.plainHttp;
  return noPlainCredentials && address.userinfo ? ADDRESS_REFUSALS.teamCredentials : null;
}

/** The address of an index as uv reads it: `name=URL` or a URL (Index::from_str, crates/uv-distribution-types/src/index.rs). */
export function indexAddress(entry: string): string {
  const equals = entry.indexOf('=');
  return equals >= 0 && !entry.slice(0, equals).includes(':') ? entry.slice(equals + 1) : entry;
}
