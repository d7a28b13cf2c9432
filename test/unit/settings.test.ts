// The settings the page saves (src/settings/settings.ts), without a server: what a refused
// settings.json gives (nothing, and why), a save over it, the addresses and paths a save
// accepts, names that are no setting, and help texts as the page gets them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { layoutOf, SETTINGS_FILE } from '../../src/contract.js';
import { withoutCredentials } from '../../src/redact.js';
import { Settings } from '../../src/settings/settings.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function settingsIn(environment: NodeJS.ProcessEnv = {}): { settings: Settings; path: string; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'carapace-settings-'));
  homes.push(home);
  mkdirSync(home, { recursive: true });
  return { settings: new Settings(layoutOf(home), environment), path: layoutOf(home).settings, home };
}

/** The error a save throws, as its body. */
function refusal(save: () => unknown): { code: string; message: string; hint: string } {
  try {
    save();
  } catch (error) {
    return error as { code: string; message: string; hint: string };
  }
  throw new Error('the save was accepted');
}

describe('a settings.json of another form', () => {
  it('gives no value, says why, and is written anew by a save', () => {
    const { settings, path } = settingsIn();
    writeFileSync(path, '{"HTTPS_PROXY": "http://proxy.example:3128", "HTTPS_PROXY": "http://other.example:1"}\n');
    expect(settings.value('HTTPS_PROXY')).toBeNull();
    expect(settings.answer().problem).toEqual({
      code: 'settings',
      message: `Cannot read ${path}: line 1 is not in the form Carapace writes.`,
      hint: SETTINGS_FILE.refusedHint,
    });
    expect(settings.answer().settings.every((setting) => setting.source === 'unset')).toBe(true);
    const saved = settings.save({ values: { UV_DEFAULT_INDEX: 'https://pypi.example/simple' } });
    expect(saved.problem).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('{\n  "UV_DEFAULT_INDEX": "https://pypi.example/simple"\n}\n');
    expect(settings.value('UV_DEFAULT_INDEX')).toBe('https://pypi.example/simple');
  });
});

describe('a save', () => {
  it('accepts https, and plain http to this machine only, for every address Carapace or uv downloads from', () => {
    const { settings } = settingsIn();
    for (const name of ['CARAPACE_UV_MIRROR', 'UV_ASTRAL_MIRROR_URL', 'UV_PYTHON_INSTALL_MIRROR', 'UV_DEFAULT_INDEX']) {
      for (const refused of [
        'http://192.0.2.2:4704?@127.0.0.1/uv',
        'http://192.0.2.2:4704#@127.0.0.1/uv',
        'http://pypi.example/simple',
        'https://evil.example\\@127.0.0.1/',
        'https:user:pw@host.example',
      ]) {
        expect(
          refusal(() => settings.save({ values: { [name]: refused } })),
          `${name}=${refused}`,
        ).toMatchObject({
          code: 'invalid-request',
        });
      }
      settings.save({ values: { [name]: 'http://127.0.0.1:4600/x' } });
      settings.save({ values: { [name]: 'https://mirror.example/x' } });
      expect(settings.value(name)).toBe('https://mirror.example/x');
    }
    settings.save({ values: { UV_DEFAULT_INDEX: 'corp=https://pypi.example/simple' } });
    expect(
      refusal(() => settings.save({ values: { UV_DEFAULT_INDEX: 'corp=http://pypi.example/simple' } })),
    ).toMatchObject({ code: 'invalid-request' });
    expect(
      refusal(() => settings.save({ values: { CARAPACE_UV_MIRROR: 'https://a.example/uv http://b.example/uv' } }))
        .message,
    ).toContain(
      'http://b.example/uv is not an address Carapace can use: plain http:// is allowed only to this machine',
    );
  });

  it('refuses a team server with a user name or password over plain http, and an address without :// anywhere', () => {
    const { settings } = settingsIn();
    expect(
      refusal(() => settings.save({ values: { CARAPACE_SKYPILOT_API_SERVER: 'http://alice:pw@127.0.0.1:46580' } }))
        .message,
    ).toContain('a user name or password may not be sent over plain http://');
    expect(refusal(() => settings.save({ values: { HTTPS_PROXY: 'https:user:pw@proxy.example' } })).message).toContain(
      'is not an address Carapace can use',
    );
    settings.save({ values: { CARAPACE_SKYPILOT_API_SERVER: 'https://alice:pw@skypilot.example' } });
    settings.save({ values: { HTTPS_PROXY: 'http://alice:pw@proxy.example:3128' } });
  });

  it('says what a refused address should look like for its own setting: a proxy, a mirror, an index, a team server', () => {
    const { settings } = settingsIn();
    const hint = (name: string, value: string) => refusal(() => settings.save({ values: { [name]: value } })).hint;
    expect(hint('HTTPS_PROXY', 'proxy.example:3128 x')).toContain('http://proxy.example:3128');
    expect(hint('UV_DEFAULT_INDEX', 'http://pypi.example/simple')).toContain('https://pypi.example/simple');
    expect(hint('CARAPACE_SKYPILOT_API_SERVER', 'http://sky.example.com')).toContain('SkyPilot API server');
    expect(hint('UV_PYTHON_INSTALL_MIRROR', 'http://mirror.example/python')).toContain('https://mirror.example/path');
  });

  it('takes as CA bundle only the path of a file it can read, spaces in its name included', () => {
    const { settings, home } = settingsIn();
    const bundle = join(home, 'My Certs', 'ca.pem');
    mkdirSync(join(home, 'My Certs'));
    writeFileSync(bundle, '-----BEGIN CERTIFICATE-----\n');
    // Readable, but no certificate in it: every https download would fail at the next install.
    const hostname = join(home, 'hostname');
    writeFileSync(hostname, 'carapace-1\n');
    expect(refusal(() => settings.save({ values: { SSL_CERT_FILE: hostname } })).message).toBe(
      `CA bundle: ${hostname} holds no certificate (no "-----BEGIN CERTIFICATE-----" line).`,
    );
    for (const refused of [
      `${bundle} --post-file=/etc/passwd`,
      join(home, 'My Certs'),
      join(home, 'none.pem'),
      'ca.pem',
    ]) {
      expect(
        refusal(() => settings.save({ values: { SSL_CERT_FILE: refused } })),
        refused,
      ).toMatchObject({
        code: 'invalid-request',
      });
    }
    settings.save({ values: { SSL_CERT_FILE: bundle } });
    expect(settings.value('SSL_CERT_FILE')).toBe(bundle);
  });

  it("answers a name that is no setting as such, even one of an object's own (constructor, toString, __proto__)", () => {
    const { settings } = settingsIn({});
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const body = JSON.parse(`{"values": {"${name}": "x"}}`) as unknown;
      expect(refusal(() => settings.save(body)).message, name).toBe(`"${name}" is not a setting.`);
    }
  });
});

describe('the answer', () => {
  it('keeps help texts as they are, through the redaction every JSON answer goes through', () => {
    const { settings } = settingsIn({ HTTPS_PROXY: 'http://alice:s3cret@proxy.example:3128' });
    const answer = settings.answer();
    const sent = JSON.parse(JSON.stringify(answer, withoutCredentials)) as typeof answer;
    expect(sent.settings.map((setting) => setting.help)).toEqual(answer.settings.map((setting) => setting.help));
    expect(JSON.stringify(sent)).not.toContain('s3cret');
  });
});
