// What the server refuses: bad input before anything runs, foreign hosts, sites and
// origins, requests without the token, bodies that are not plain JSON, and requests
// no browser sends -- each with a {code, message, hint} body and no stack trace.
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from '../support/fixture.js';

let fx: Fixture;
let port: string;

beforeAll(async () => {
  fx = await startFixture();
  port = new URL(fx.server.url).port;
});

afterAll(() => fx.close());

interface RawAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** A raw request, so that any header can be anything. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes on the wire, for what http.request will not send (two Host headers, absolute targets). */
function wire(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const ours = () => ({ host: `127.0.0.1:${port}`, authorization: `Bearer ${fx.server.token}` });
const json = () => ({ ...ours(), 'content-type': 'application/json' });

function expectError(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  const body = JSON.parse(answer.body) as Record<string, string>;
  expect(body.code).toBe(code);
  expect(body.message).toBeTruthy();
  expect(body.hint).toBeTruthy();
  expect(answer.body).not.toMatch(/at .*\.(js|ts):\d+/);
}

describe('invalid input is refused with 400 before anything runs', () => {
  it.each([
    [{ name: 'bad name' }, 'not a valid server name'],
    [{ name: '-x' }, 'not a valid server name'],
    [{ name: 'ok', cloud: 'aws; rm -rf ~' }, 'not a cloud'],
    [{ name: 'ok', ports: ['1-99999'] }, 'not a port'],
    [{ name: { toString: 1 } }, 'not a valid server name'],
    [[1, 2], 'must be a JSON object'],
  ])('POST /servers %j', async (body, message) => {
    const response = await fx.request('POST', '/servers', body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as Record<string, string>;
    expect(error.code).toBe('invalid-request');
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });

  it('DELETE /servers/<bad name>, and a name that does not decode', async () => {
    expect((await fx.request('DELETE', '/servers/bad%20name')).status).toBe(400);
    expectError(await raw('DELETE', '/servers/%E0%A4%A', ours()), 400, 'invalid-request');
  });

  it('and nothing was installed or written', () => {
    expect(fx.server.session.runs).toBe(0);
    expect(existsSync(join(fx.home, 'servers'))).toBe(false);
  });

  it('malformed and oversized JSON', async () => {
    expectError(await raw('POST', '/servers', json(), '{"name":'), 400, 'invalid-request');
    expectError(
      await raw('POST', '/servers', json(), JSON.stringify({ name: 'x'.repeat(20_000) })),
      413,
      'invalid-request',
    );
  });

  it('a charset other than UTF-8, a Content-Encoding, and a corrupt gzip body', async () => {
    expectError(
      await raw('POST', '/servers', { ...ours(), 'content-type': 'application/json; charset=latin-7' }, '{}'),
      415,
      'unsupported-media-type',
    );
    expectError(
      await raw('POST', '/servers', { ...json(), 'content-encoding': 'br' }, '{}'),
      415,
      'unsupported-media-type',
    );
    expectError(
      await raw('POST', '/servers', { ...json(), 'content-encoding': 'gzip' }, gzipSync('{"name":"x"}').subarray(0, 8)),
      415,
      'unsupported-media-type',
    );
  });
});

describe('requests from elsewhere', () => {
  it('a Host that is not this server is refused (DNS rebinding)', async () => {
    expectError(await raw('GET', '/status', { ...ours(), host: 'attacker.example:80' }), 403, 'forbidden');
  });

  it('a POST with another Origin is refused (CSRF), whatever its content type', async () => {
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const answer = await raw(
        'POST',
        '/clouds/check',
        { ...ours(), origin: 'https://evil.example', 'content-type': contentType },
        '{}',
      );
      expect(answer.status, contentType).toBe(403);
    }
    expect(fx.server.session.runs).toBe(0);
  });

  it.each(['cross-site', 'Cross-Site', 'same-site'])(
    'Sec-Fetch-Site: %s is refused on every API route, GET included',
    async (site) => {
      for (const [method, path] of [
        ['GET', '/servers'],
        ['GET', '/status'],
        ['GET', '/events'],
        ['DELETE', '/servers/web'],
        ['POST', '/install'],
      ] as const) {
        const answer = await raw(
          method,
          path,
          { ...json(), 'sec-fetch-site': site },
          method === 'POST' ? '{}' : undefined,
        );
        expect(answer.status, `${method} ${path}`).toBe(403);
      }
      expect(fx.server.session.runs).toBe(0);
    },
  );

  it('the page and its files are served to any site, without the token', async () => {
    for (const path of ['/', '/app.js', '/app.css']) {
      const answer = await raw('GET', path, { host: `127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site' });
      expect(answer.status, path).toBe(200);
    }
  });

  it("this server's own Origin is accepted", async () => {
    const answer = await raw(
      'POST',
      '/servers',
      { ...json(), host: `localhost:${port}`, origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' },
      '{"name":"bad name"}',
    );
    expect(answer.status).toBe(400); // got past the guards to validation
  });

  it('no CORS headers are ever sent', async () => {
    const preflight = await raw('OPTIONS', '/servers', {
      ...ours(),
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    const normal = await raw('GET', '/status', { ...ours(), origin: 'https://evil.example' });
    for (const answer of [preflight, normal]) {
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('the token', () => {
  it('is needed by every API route', async () => {
    const routes = [
      ['GET', '/status'],
      ['GET', '/events'],
      ['GET', '/servers'],
      ['POST', '/install'],
      ['POST', '/clouds/check'],
      ['DELETE', '/servers/web'],
    ] as const;
    const headers = { host: `127.0.0.1:${port}`, 'content-type': 'application/json' };
    for (const [method, path] of routes) {
      expectError(await raw(method, path, headers, method === 'POST' ? '{}' : undefined), 401, 'unauthorized');
    }
    // All at once: each wrong token waits longer than the one before (see 'wrong tokens' in hostile.test.ts).
    const wrong = await Promise.all(
      routes.map(([method, path]) =>
        raw(
          method,
          path,
          { ...headers, authorization: 'Bearer wrong-token-0123456789-0123456789' },
          method === 'POST' ? '{}' : undefined,
        ),
      ),
    );
    for (const answer of wrong) expectError(answer, 401, 'unauthorized');
    expect(fx.server.session.runs).toBe(0);
  });

  it('the page and every answer say what may run and be framed, that types are not to be sniffed, that no opener keeps a handle and nothing is cached', async () => {
    for (const [path, headers] of [
      ['/', { host: `127.0.0.1:${port}` }],
      ['/app.js', { host: `127.0.0.1:${port}` }],
      ['/status', ours()],
      ['/servers/bad%20name', ours()],
      ['/status', { host: `127.0.0.1:${port}` }], // refused: 401
    ] as const) {
      const answer = await raw('GET', path, headers);
      expect(answer.headers['content-security-policy'], path).toBe("default-src 'self'; frame-ancestors 'none'");
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
      expect(answer.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(answer.headers['cache-control'], path).toBe('no-store');
    }
  });

  it('travels only as Authorization: Bearer: the printed link sets no cookie, and a cookie holding it is refused', async () => {
    // A browser sends 127.0.0.1's cookies to every port of it, and pages on other ports can set them:
    // no cookie may work as the credential (the page keeps the token in its tab's sessionStorage).
    // The token is in the printed link's fragment, which a browser never sends: it asks for / alone.
    const printed = new URL(fx.server.pageUrl);
    expect([printed.pathname, printed.search, printed.hash]).toEqual(['/', '', `#token=${fx.server.token}`]);
    const landing = await raw('GET', '/', { host: `127.0.0.1:${port}` });
    expect(landing.status).toBe(200);
    expect(landing.headers['content-type']).toMatch(/^text\/html/);
    expect(landing.headers['set-cookie']).toBeUndefined();
    for (const name of ['carapace_token', 'token']) {
      const cookie = `${name}=${fx.server.token}`;
      expectError(await raw('GET', '/status', { host: `127.0.0.1:${port}`, cookie }), 401, 'unauthorized');
    }
    expect((await raw('GET', '/status', ours())).status).toBe(200);
  });

  it('is kept in CARAPACE_HOME, readable only by its user', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    const file = join(fx.home, 'server-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(fx.server.token);
    expect((await raw('GET', '/health', { host: `127.0.0.1:${port}` })).status).toBe(200);
  });
});

describe('requests no browser sends', () => {
  it('two Host headers', async () => {
    const answer = await wire(
      `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\nAuthorization: Bearer ${fx.server.token}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('an absolute-form target', async () => {
    const answer = await wire(
      `GET http://127.0.0.1:${port}/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${fx.server.token}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('a POST without a JSON Content-Type, body or not, and a DELETE with a body', async () => {
    expectError(await raw('POST', '/clouds/check', ours()), 415, 'unsupported-media-type');
    expectError(
      await raw('POST', '/clouds/check', { ...ours(), 'content-type': 'text/plain' }, '{}'),
      415,
      'unsupported-media-type',
    );
    expectError(
      await raw('DELETE', '/servers/web', { ...json(), 'content-length': '2' }, '{}'),
      400,
      'invalid-request',
    );
    expect(fx.server.session.runs).toBe(0);
  });
});
