import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';
import { HOME_OWNERSHIP, layoutOf } from '../../src/contract.js';
import { EventBus } from '../../src/events/bus.js';
import { prepareHome } from '../../src/home.js';
import { HostPolicy } from '../../src/http/security.js';
import { loadToken, WrongTokenDelay } from '../../src/http/token.js';
import { jsonWithoutCredentials, redactUrl } from '../../src/redact.js';
import { writeSettingsFile } from '../../src/settings/file.js';
import { isApiServerOf } from '../../src/status/api-server.js';
import { writeSmallFile } from '../../src/status/files.js';
import { mkfifoSync } from '../server/fifo.js';
import { realOutput, realOutputNames } from '../support/real.js';

describe('HostPolicy', () => {
  it('accepts only this server loopback names and port', () => {
    const policy = new HostPolicy('127.0.0.1');
    policy.setPort(3001);
    for (const host of ['127.0.0.1:3001', 'localhost:3001', 'LOCALHOST:3001', '[::1]:3001']) {
      expect(policy.allowsHost(host), host).toBe(true);
    }
    for (const host of ['127.0.0.1:3002', 'localhost', 'evil.example:3001', 'attacker.localhost:3001', undefined]) {
      expect(policy.allowsHost(host), String(host)).toBe(false);
    }
  });

  it('accepts only this server as an origin', () => {
    const policy = new HostPolicy('127.0.0.1');
    policy.setPort(3001);
    expect(policy.allowsOrigin('http://localhost:3001')).toBe(true);
    expect(policy.allowsOrigin('http://127.0.0.1:3001')).toBe(true);
    expect(policy.allowsOrigin('http://evil.example')).toBe(false);
    expect(policy.allowsOrigin('http://localhost:3000')).toBe(false);
    expect(policy.allowsOrigin('null')).toBe(false);
    expect(policy.allowsOrigin('file://localhost:3001')).toBe(false);
  });

  it('adds the names a container is reached by', () => {
    const policy = new HostPolicy('0.0.0.0', ['carapace.internal:8080']);
    policy.setPort(3001);
    expect(policy.allowsHost('carapace.internal:8080')).toBe(true);
    expect(policy.allowsHost('0.0.0.0:3001')).toBe(false);
  });

  it('on port 80 accepts the names without a port, as a browser sends them', () => {
    const policy = new HostPolicy('127.0.0.1');
    policy.setPort(80);
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:80', 'localhost:80']) {
      expect(policy.allowsHost(host), host).toBe(true);
    }
    // A browser's Origin drops the default port too.
    expect(policy.allowsOrigin('http://localhost')).toBe(true);
    expect(policy.allowsOrigin('http://127.0.0.1:80')).toBe(true);
    expect(policy.allowsHost('evil.example')).toBe(false);
    expect(policy.allowsOrigin('http://evil.example')).toBe(false);
    // On another port a name without one is still refused.
    policy.setPort(8080);
    expect(policy.allowsHost('localhost')).toBe(false);
  });
});

describe('redactUrl: user names and passwords out of text', () => {
  it.each([
    // [text, shown]
    ['http://alice:s3cret@proxy.example:3128', 'http://***@proxy.example:3128'],
    // A token used as the user name, with or without an empty password.
    ['https://ghp_0123456789abcdef@git.example/repo', 'https://***@git.example/repo'],
    ['https://TOKEN:@api.example', 'https://***@api.example'],
    ['https://:TOKEN@api.example', 'https://***@api.example'],
    // An @ in the password: the last @ of the authority ends the userinfo.
    ['http://bob:p@ss@w0rd@host:46580/api', 'http://***@host:46580/api'],
    // A space in the password.
    [
      'Using SkyPilot API server: http://carol:two words@sky.corp:443',
      'Using SkyPilot API server: http://***@sky.corp:443',
    ],
    ['Try: curl http://dave:a b@c:d@sky.corp/api/health', 'Try: curl http://***@sky.corp/api/health'],
    // A colon and percent-escapes in the password, an upper-case scheme, another scheme.
    ['HTTPS://eve:%2Fx:y@h.example/', 'HTTPS://***@h.example/'],
    [
      'socks5h://u:p@127.0.0.1:1080 and git+ssh://git:key@repo.example/x',
      'socks5h://***@127.0.0.1:1080 and git+ssh://***@repo.example/x',
    ],
    // Two addresses on one line: each its own.
    [
      'from http://a:1@one.example to https://b:2@two.example/x',
      'from http://***@one.example to https://***@two.example/x',
    ],
    // Inside quotes and after a colon, as SkyPilot and the installer print them.
    ['"http://u:pw@h.example" is not an address', '"http://***@h.example" is not an address'],
    // Without "//": WHATWG (uv) reads an authority after http(s): with any number of slashes, curl with one to
    // three (and without any, all of "https:user:pw" as a userinfo), Python's urllib for a proxy.
    ['https:user:pw@sky.corp', 'https:***@sky.corp'],
    ['http:/user:pw@proxy.example:3128', 'http:/***@proxy.example:3128'],
    ['http:///user:pw@h.example/x', 'http:///***@h.example/x'],
    ['HTTPS:ghp_TOKEN0123@h.example', 'HTTPS:***@h.example'],
    ['https:user:two words@h.example', 'https:***@h.example'],
    ['HTTPS_PROXY=https:u:p@proxy.example:3128', 'HTTPS_PROXY=https:***@proxy.example:3128'],
    ['proxy socks5h:u:p@127.0.0.1:1080 refused', 'proxy socks5h:***@127.0.0.1:1080 refused'],
    ['Error:u@x, then http://a:b@c.example', 'Error:***@x, then http://***@c.example'],
    // WHATWG's other special schemes read an authority without "//" too, spaces included; another scheme's ends at a space.
    ['wss:u:two words@sky.corp/ws', 'wss:***@sky.corp/ws'],
    ['ws:u:two words@sky.corp', 'ws:***@sky.corp'],
    ['ftp:u:two words@files.example/x', 'ftp:***@files.example/x'],
    ['socks5h:u:p@proxy.example then see admin@corp.example', 'socks5h:***@proxy.example then see admin@corp.example'],
    // An http(s) authority without "//" reaches over spaces too: up to the second address's @, hiding more.
    ['from https:a:1@one.example to https:b:2@two.example/x', 'from https:***@two.example/x'],
  ])('%s', (text, shown) => {
    expect(redactUrl(text)).toBe(shown);
  });

  it.each([
    'Using SkyPilot API server: http://127.0.0.1:46580',
    'https://pypi.org/simple/skypilot-nightly/',
    // An @ after the authority is not a user name: in a path, a query or a fragment.
    'https://host.example/@scope/pkg',
    'https://host.example?mail=a@b.example',
    'https://host.example#me@there',
    'mail root@localhost about http://host.example/x',
    'no address here: a@b',
    // Prose: no address starts at a colon followed by a space, and without a slash one ends at a space.
    'Error: see root@localhost',
    'Using context: admin@cluster.example',
    'at 2026-08-14T12:30:45Z root@host.example',
    'Collecting skypilot @ git+https://github.com/skypilot-org/skypilot',
  ])('leaves alone text without a userinfo: %s', (text) => {
    expect(redactUrl(text)).toBe(text);
  });

  it('a password with a space reaches to the end of its line, never further', () => {
    expect(redactUrl('http://u:a b@h.example\nsee admin@corp.example')).toBe(
      'http://***@h.example\nsee admin@corp.example',
    );
  });

  it('shows what it redacted the same way again (a value sent back as shown is recognised)', () => {
    for (const text of ['http://u:p@h.example', 'https://TOKEN@h.example/x', 'http://a b@c@d.example', 'https:u:p@h']) {
      expect(redactUrl(redactUrl(text))).toBe(redactUrl(text));
    }
  });
});

describe('jsonWithoutCredentials: one serialization for whatever leaves the server', () => {
  it('removes userinfos from every string, however deep, and keeps the rest', () => {
    const value = {
      line: 'Using SkyPilot API server: http://team:pa55@sky.corp',
      nested: [{ raw: 'x\nhttps://TOKEN@h.example/y\n' }, 3, null, true],
      plain: 'a@b',
      slashless: 'proxy: https:bob:pa55@proxy.example',
    };
    expect(JSON.parse(jsonWithoutCredentials(value))).toEqual({
      line: 'Using SkyPilot API server: http://***@sky.corp',
      nested: [{ raw: 'x\nhttps://***@h.example/y\n' }, 3, null, true],
      plain: 'a@b',
      slashless: 'proxy: https:***@proxy.example',
    });
  });

  it('is JSON.stringify itself when there is nothing to remove', () => {
    const value = { message: 'Installing cloud tools', percent: 40, at: 'user@host' };
    expect(jsonWithoutCredentials(value)).toBe(JSON.stringify(value));
  });
});

describe('every event published', () => {
  it('leaves the bus without credentials, in its frame and in the history a client replays', () => {
    const bus = new EventBus();
    const frames: string[] = [];
    bus.subscribe((event) => frames.push(event.frame));
    const first = bus.publish('operation', { line: 'Using SkyPilot API server: http://team:pa55word@sky.corp:443' });
    bus.publish('install', { message: 'Failed to fetch: https://ghp_TOKEN0123456789@pypi.corp/simple/' });
    const replayed = bus.since(`${bus.bootId}-0`)?.map((event) => event.frame) ?? [];
    for (const frame of [...frames, ...replayed]) {
      expect(frame).not.toMatch(/pa55word|ghp_TOKEN/);
    }
    expect(first.frame).toContain('http://***@sky.corp:443');
    expect(replayed).toHaveLength(2);
  });
});

describe('every line in which real sky prints its endpoint raw (16.4)', () => {
  // sky prints get_server_url() as it is, user and password included: in check's last line, in
  // `Or, visit: …` after an async launch, in its connection and login errors.
  const printed = realOutputNames().filter((name) => {
    const { stdout, stderr } = realOutput(name);
    return `${stdout}${stderr}`.includes('{{ENDPOINT}}');
  });

  it.each(printed)('%s: every such line leaves the bus without the password', (name) => {
    const { stdout, stderr } = realOutput(name, {
      ENDPOINT: 'https://alice:s3cret-pa55@sky.team.example',
      REQUEST_ID: 'b2c4f0e1-9a7d-4c3e-8f21-0d6e5a4b3c2f',
      SHORT_ID: 'b2c4f0e1',
      VERSION: '1.0.0.dev20261120',
      SERVER_VERSION: '1.0.0.dev20261120',
    });
    const lines = `${stdout}${stderr}`.split('\n').filter((line) => line.includes('sky.team.example'));
    expect(lines.length).toBeGreaterThan(0);
    const bus = new EventBus();
    for (const line of lines) {
      const event = bus.publish('operation', { stream: 'stdout', line });
      expect(event.frame).not.toContain('s3cret-pa55');
      expect(event.frame).toContain('https://***@sky.team.example');
    }
  });

  it('is found in the launch, the check and the API errors', () => {
    expect(printed).toEqual(
      expect.arrayContaining(['sky-launch-async', 'sky-check-aws-enabled', 'sky-api-unreachable']),
    );
  });
});

describe('CARAPACE_TOKEN', () => {
  it('is refused shorter than 32 characters', () => {
    expect(() => readConfig({ HOME: '/home/u', CARAPACE_TOKEN: 'a'.repeat(31) })).toThrow(ConfigError);
    expect(() => readConfig({ HOME: '/home/u', CARAPACE_TOKEN: 'correct-horse-battery' })).toThrow(/32/);
    expect(readConfig({ HOME: '/home/u', CARAPACE_TOKEN: 'a'.repeat(32) }).token).toBe('a'.repeat(32));
  });
});

describe('wrong tokens', () => {
  it('wait longer each time, up to a bound, and again briefly after a quiet minute', () => {
    let now = 1_000_000;
    const delay = new WrongTokenDelay(() => now);
    const waits = Array.from({ length: 9 }, () => delay.next());
    expect(waits).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
    now += 59_000;
    expect(delay.next()).toBe(10_000);
    now += 61_000;
    expect(delay.next()).toBe(100);
  });
});

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'carapace-files-'));
  folders.push(made);
  return made;
}

/** Root can give a file to another user; anyone else runs what needs no other user. */
const asRoot = process.getuid?.() === 0;
/** The uid of `nobody` (Debian's and macOS's own differ, but both have one). */
const NOBODY = 65534;

describe('who may write in CARAPACE_HOME', () => {
  it.each([0o777, 0o775, 0o757, 0o1777, 0o770])(
    'a folder of mode %o is refused at start, with the words of the contract',
    (mode) => {
      const home = join(folder(), 'carapace');
      mkdirSync(home);
      chmodSync(home, mode);
      expect(() => prepareHome(layoutOf(home))).toThrow(ConfigError);
      expect(() => prepareHome(layoutOf(home))).toThrow(`${HOME_OWNERSHIP.message} ${home}. ${HOME_OWNERSHIP.hint}`);
      // Refused before anything is written in it.
      expect(readdirSync(home)).toEqual([]);
    },
  );

  it.each([
    ['0755', 0o755],
    ['0700', 0o700],
    ['0750', 0o750],
  ])('a folder of its own of mode %s is used, and one that is missing is made', (_shown, mode) => {
    const home = join(folder(), 'carapace');
    mkdirSync(home);
    chmodSync(home, mode);
    prepareHome(layoutOf(home));
    const made = join(folder(), 'made', 'carapace');
    prepareHome(layoutOf(made));
    expect(statSync(made).mode & 0o777).toBe(0o755);
    expect(readdirSync(made)).toEqual(['.carapace-home']);
  });

  it.skipIf(!asRoot)("another user's folder is refused, however closed it is", () => {
    const home = join(folder(), 'carapace');
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, NOBODY, NOBODY);
    expect(() => prepareHome(layoutOf(home))).toThrow(HOME_OWNERSHIP.message);
  });
});

describe('a kept token that someone else may know', () => {
  const known = 'known-to-someone-else-0123456789abcdef';

  it.each([
    ['0644', 0o644],
    ['0640', 0o640],
    ['0604', 0o604],
    ['0660', 0o660],
  ])('in a file of mode %s, is replaced by a new one, kept 0600', (_shown, mode) => {
    const layout = layoutOf(folder());
    writeFileSync(layout.token, `${known}\n`);
    chmodSync(layout.token, mode);
    const token = loadToken(layout, null);
    expect(token).not.toBe(known);
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(readFileSync(layout.token, 'utf8')).toBe(`${token}\n`);
    expect(statSync(layout.token).mode & 0o777).toBe(0o600);
  });

  it('in a file of its own, 0600, is kept', () => {
    const layout = layoutOf(folder());
    writeFileSync(layout.token, `${known}\n`, { mode: 0o600 });
    expect(loadToken(layout, null)).toBe(known);
  });

  it.skipIf(!asRoot)(
    "in a file another user owns, even 0600, is replaced, and the file is the server's own again",
    () => {
      const layout = layoutOf(folder());
      writeFileSync(layout.token, `${known}\n`, { mode: 0o600 });
      chownSync(layout.token, NOBODY, NOBODY);
      const token = loadToken(layout, null);
      expect(token).not.toBe(known);
      expect(statSync(layout.token).uid).toBe(process.getuid?.());
    },
  );
});

describe('files the server writes in CARAPACE_HOME', () => {
  it('writeSmallFile replaces a link with a file of its own, and leaves what the link pointed to alone', () => {
    const dir = folder();
    writeFileSync(join(dir, 'outside'), "not Carapace's\n");
    symlinkSync(join(dir, 'outside'), join(dir, 'target'));
    writeSmallFile(join(dir, 'target'), 'mine\n', 0o600);
    expect(readFileSync(join(dir, 'outside'), 'utf8')).toBe("not Carapace's\n");
    expect(lstatSync(join(dir, 'target')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('mine\n');
    expect(statSync(join(dir, 'target')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['outside', 'target']);
  });

  it('writeSmallFile never opens a FIFO that sits at the name (it would block)', () => {
    const dir = folder();
    mkfifoSync(join(dir, 'target'));
    writeSmallFile(join(dir, 'target'), 'mine\n', 0o600);
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('mine\n');
  });

  it('the server token is written through no link', () => {
    const home = folder();
    const layout = layoutOf(home);
    writeFileSync(join(home, 'outside'), 'keep me\n');
    symlinkSync(join(home, 'outside'), layout.token);
    const token = loadToken(layout, null);
    expect(readFileSync(join(home, 'outside'), 'utf8')).toBe('keep me\n');
    expect(lstatSync(layout.token).isFile()).toBe(true);
    expect(readFileSync(layout.token, 'utf8').trim()).toBe(token);
    expect(statSync(layout.token).mode & 0o777).toBe(0o600);
  });

  it('a kept token shorter than 32 characters is replaced', () => {
    const home = folder();
    const layout = layoutOf(home);
    writeFileSync(layout.token, 'short-token-0123456789\n');
    const token = loadToken(layout, null);
    expect(token).not.toBe('short-token-0123456789');
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it('settings.json is written through no link, its temporary file included', () => {
    const home = folder();
    const path = join(home, 'settings.json');
    writeFileSync(join(home, 'outside'), 'keep me\n');
    // The old temporary name, guessable from the pid: a link there was written through.
    symlinkSync(join(home, 'outside'), `${path}.tmp.${process.pid}`);
    writeSettingsFile(path, { HTTPS_PROXY: 'http://proxy.example:3128' });
    expect(readFileSync(join(home, 'outside'), 'utf8')).toBe('keep me\n');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ HTTPS_PROXY: 'http://proxy.example:3128' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe("SkyPilot's local API server of this CARAPACE_HOME", () => {
  const home = '/home/u/.carapace';
  const me = 1000;
  const python = `${home}/tools.1/skypilot-nightly/bin/python`;
  const managed = `${home}/python/installs/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12`;

  it.each([
    [
      'the real one (sys.executable first, the managed Python running)',
      `${python} -m sky.server.server --host=127.0.0.1`,
      managed,
    ],
    [
      'a #! script standing for the python, after its interpreter',
      `/bin/sh ${python} -m sky.server.server`,
      '/usr/bin/dash',
    ],
    ['as ps shows it (macOS: no program, arguments only)', `${python} -m sky.server.server --host=127.0.0.1`, null],
  ])('is %s', (_what, commandLine, exe) => {
    expect(isApiServerOf([home], me, { uid: me, commandLine, exe })).toBe(true);
  });

  it.each([
    [
      "another user's, naming the home",
      65534,
      `python3 -m sky.server.server --host=127.0.0.1 ${home}/x`,
      '/usr/bin/python3.11',
    ],
    ["another user's, even running the home's own python", 65534, `${python} -m sky.server.server`, managed],
    [
      "the user's runuser, the parent of such a process",
      me,
      `runuser -u nobody -- python3 -m sky.server.server --host=127.0.0.1 ${home}/x`,
      '/usr/sbin/runuser',
    ],
    [
      "the user's own python, naming the home after the module",
      me,
      `python3 -m sky.server.server ${home}/x`,
      '/usr/bin/python3.11',
    ],
    [
      "another folder's, whose name starts with the home's",
      me,
      `${home}-2/tools/bin/python -m sky.server.server`,
      null,
    ],
    ['a process without the module', me, `${python} -m sky.server.other`, managed],
  ])('is not %s', (_what, uid, commandLine, exe) => {
    expect(isApiServerOf([home], me, { uid, commandLine, exe })).toBe(false);
  });

  it('is recognised by its program under the resolved folder when CARAPACE_HOME is a link', () => {
    const facts = {
      uid: me,
      commandLine: '/usr/bin/python3 -m sky.server.server',
      exe: '/data/carapace/python/bin/python3.12',
    };
    expect(isApiServerOf([home, '/data/carapace'], me, facts)).toBe(true);
    expect(isApiServerOf([home], me, facts)).toBe(false);
  });
});
