// One rule for the addresses Carapace and uv download from, in two implementations:
// the installer's read_address and check_address (sh), and src/settings/address.ts
// (PUT /settings). The same corpus -- the addresses curl, wget and uv read differently --
// goes to both, under every shell the installer supports, and each case must agree.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDRESS_REFUSALS, readAddress, refusedAddress } from '../../src/settings/address.js';
import { cleanUpTemporaryFolders, temporaryFolder } from '../support/fixture.js';
import { runScriptParts, SHELLS, scriptParts } from './script-functions.js';

afterAll(() => cleanUpTemporaryFolders());

type Expected = 'https' | 'loopback' | keyof typeof ADDRESS_REFUSALS;

const CORPUS: [string, Expected][] = [
  ['https://mirror.example/uv', 'https'],
  ['HTTPS://Mirror.Example/uv', 'https'],
  ['https://mirror.example:8443', 'https'],
  ['https://under_score.example/uv', 'https'],
  ['https://[2001:db8::1]:443/uv', 'https'],
  ['https://alice:s3cret@mirror.example/uv', 'https'],
  ['https://mirror.example/uv?token=a@b', 'https'],
  ['http://127.0.0.1:4600/uv', 'loopback'],
  ['HTTP://127.0.0.1/uv', 'loopback'],
  ['http://127.0.0.1:/uv', 'loopback'],
  ['http://127.0.0.2/uv', 'loopback'],
  ['http://127.255.255.254:1/', 'loopback'],
  ['http://localhost/uv', 'loopback'],
  ['http://LocalHost:4600/', 'loopback'],
  ['http://[::1]:4600/uv', 'loopback'],
  ['http://[::1]', 'loopback'],
  ['http://user:p%40ss@127.0.0.1/uv', 'loopback'],
  ['http://127.0.0.1/uv#x@evil.example', 'loopback'],
  ['http://example.com/uv', 'plainHttp'],
  ['HTTP://evil.example/uv', 'plainHttp'],
  ['http://evil.example?@127.0.0.1/uv', 'plainHttp'],
  ['http://evil.example#@127.0.0.1/uv', 'plainHttp'],
  ['http://192.0.2.2:4704?@127.0.0.1/uv', 'plainHttp'],
  ['http://192.0.2.2:4704#@127.0.0.1/uv', 'plainHttp'],
  ['http://localhost:1@example.invalid/uv', 'plainHttp'],
  ['http://127.0.0.1:80@evil.example/uv.tar.gz', 'plainHttp'],
  ['http://[::1]:1@evil.example/', 'plainHttp'],
  ['http://localhost.evil.example/uv', 'plainHttp'],
  ['http://evil.localhost/uv', 'plainHttp'],
  ['http://127.0.0.1.evil.example/', 'plainHttp'],
  ['http://0177.0.0.1/', 'plainHttp'],
  ['http://2130706433/', 'plainHttp'],
  ['http://127.0.0.01/', 'plainHttp'],
  ['http://127.0.0.256/', 'plainHttp'],
  ['http://127.1/', 'plainHttp'],
  ['http://evil.example\\@127.0.0.1/uv', 'characters'],
  ['https://evil.example\\@127.0.0.1/uv', 'characters'],
  ['https://mirror.example/u v', 'characters'],
  ['https://mirror.example/"uv"', 'characters'],
  ['https://bücher.example/', 'characters'],
  ['https://mirror.example/uv\t', 'characters'],
  ['', 'characters'],
  ['http://user:p@ss@127.0.0.1/uv', 'userinfo'],
  ['https://a@b@mirror.example/', 'userinfo'],
  ['http://evil;@127.0.0.1/uv', 'userinfo'],
  ['http://127.0.0.1;x@evil.example/uv', 'userinfo'],
  ['http:///uv', 'host'],
  ['http://:80/uv', 'host'],
  ['https://@/uv', 'host'],
  ['http://127.0.0.1:65536/', 'host'],
  ['http://127.0.0.1:8x/', 'host'],
  ['http://127.0.0.1:1:2/', 'host'],
  ['http://[::1', 'host'],
  ['http://[::1]x/', 'host'],
  ['http://[]/', 'host'],
  ['http://[fe80::1%25eth0]/', 'host'],
  ['http://127.0.0.1;/uv', 'host'],
  ['https:user:pw@host.example/', 'scheme'],
  ['http:/127.0.0.1/uv', 'scheme'],
  ['ftp://mirror.example/uv', 'scheme'],
  ['file:///srv/uv', 'scheme'],
  ['socks5://127.0.0.1:1080', 'scheme'],
  ['mirror.example/uv', 'scheme'],
];

/** read_address's answer as the script gives it: "ok <scheme> <loopback> <userinfo> <host[:port]> <shown>" or "no <why>". */
function inTypeScript(url: string): string {
  const address = readAddress(url);
  if (!address.ok) return `no ${address.why}`;
  return `ok ${address.scheme} ${Number(address.loopback)} ${Number(address.userinfo)} ${address.hostport} ${address.shown}`;
}

const parts = scriptParts('read_address', 'is_octet');
const program = 'for url in "$@"; do if read_address "$url"; then echo "ok $RETVAL"; else echo "no $RETVAL"; fi; done';

describe('the rule for addresses, in the installer and in the server', () => {
  it('the corpus gives each outcome it is meant to', () => {
    for (const [url, expected] of CORPUS) {
      const why = refusedAddress(url);
      const outcome = why === null ? (readAddress(url).ok && /^https/i.test(url) ? 'https' : 'loopback') : why;
      expect(outcome, url).toBe(
        expected === 'https' || expected === 'loopback' ? expected : ADDRESS_REFUSALS[expected],
      );
    }
  });

  it('shows an address with its user name and password as ***, and nothing else changed', () => {
    expect(readAddress('https://alice:s3cret@mirror.example/uv')).toMatchObject({
      shown: 'https://***@mirror.example/uv',
      hostport: 'mirror.example',
      userinfo: true,
    });
    expect(readAddress('HTTP://[::1]:4600/uv?x=@y')).toMatchObject({
      shown: 'HTTP://[::1]:4600/uv?x=@y',
      userinfo: false,
    });
  });

  for (const shell of SHELLS) {
    it(`read_address under ${shell.join(' ')} reads every address of the corpus as the server does`, () => {
      const urls = CORPUS.map(([url]) => url);
      const lines = runScriptParts(shell, parts, program, urls).split('\n').slice(0, -1);
      expect(lines.map((line, index) => [urls[index], line])).toEqual(urls.map((url) => [url, inTypeScript(url)]));
    });
  }

  it('a team server over plain http carries no user name or password, even to this machine', () => {
    expect(refusedAddress('http://alice:pw@127.0.0.1:46580', true)).toBe(ADDRESS_REFUSALS.teamCredentials);
    expect(refusedAddress('http://127.0.0.1:46580', true)).toBeNull();
    expect(refusedAddress('https://alice:pw@skypilot.corp.example', true)).toBeNull();
  });

  it("a download redirected by wget is refused when the Location's host, read by the same rule, is not this machine's over plain http", () => {
    const folder = temporaryFolder('redirects');
    const cases: [string, 'insecure' | 'fine'][] = [
      ['http://127.0.0.1:80@evil.example/uv.tar.gz', 'insecure'],
      ['http://[::1]:1@evil.example/', 'insecure'],
      ['HTTP://evil.example/uv.tar.gz', 'insecure'],
      ['http://evil.example?@127.0.0.1/uv.tar.gz', 'insecure'],
      ['http://127.0.0.1:4600/uv.tar.gz', 'fine'],
      ['https://objects.example/uv.tar.gz', 'fine'],
      ['/uv/0.12.5/uv.tar.gz', 'fine'],
    ];
    const files = cases.map(([location], index) => {
      const file = join(folder, `headers.${index}`);
      writeFileSync(file, `  HTTP/1.1 302 Found\r\n  Location: ${location}\r\n  HTTP/1.1 200 OK\r\n`);
      return file;
    });
    const parts = scriptParts('redirected_to_plain_http', 'read_address', 'is_octet', 'set_control_characters');
    const verdicts = runScriptParts(
      ['dash'],
      parts,
      'TAB="" CR=""; for f in "$@"; do if redirected_to_plain_http "$f"; then echo insecure; else echo fine; fi; done',
      files,
    );
    expect(verdicts.trim().split('\n')).toEqual(cases.map(([, verdict]) => verdict));
  });
});
