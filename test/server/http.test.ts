// What the server refuses: bad input before anything runs, foreign hosts and origins, non-JSON bodies.

import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from '../support/fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture();
});

afterAll(() => fx.close());

/** A raw request, so the Host header can be anything. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  const url = new URL(fx.server.url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
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

describe('invalid input is refused with 400 before anything runs', () => {
  it.each([
    [{ name: 'bad name' }, 'not a valid server name'],
    [{ name: '-x' }, 'not a valid server name'],
    [{ name: 'ok', cloud: 'aws; rm -rf ~' }, 'not a cloud'],
    [{ name: 'ok', ports: ['1-99999'] }, 'not a port'],
    [[1, 2], 'must be a JSON object'],
  ])('POST /servers %j', async (body, message) => {
    const response = await fx.request('POST', '/servers', body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as Record<string, string>;
    expect(error.code).toBe('invalid-request');
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });

  it('DELETE /servers/<bad name>', async () => {
    const response = await fx.request('DELETE', '/servers/bad%20name');
    expect(response.status).toBe(400);
  });

  it('and nothing was installed or written', () => {
    expect(fx.server.session.runs).toBe(0);
    expect(existsSync(join(fx.home, 'servers'))).toBe(false);
  });

  it('malformed and oversized JSON', async () => {
    const broken = await fetch(`${fx.server.url}/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { code: string }).code).toBe('invalid-request');
    const huge = await fetch(`${fx.server.url}/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(20_000) }),
    });
    expect(huge.status).toBe(413);
  });
});

describe('requests from elsewhere', () => {
  it('a Host that is not this server is refused (DNS rebinding)', async () => {
    const response = await raw('GET', '/status', { host: 'attacker.example:80' });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'forbidden' });
  });

  it('a POST with another Origin is refused (CSRF), whatever its content type', async () => {
    const port = new URL(fx.server.url).port;
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const response = await raw(
        'POST',
        '/clouds/check',
        { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': contentType },
        '{}',
      );
      expect(response.status, contentType).toBe(403);
    }
    const crossSite = await raw('DELETE', '/servers/web', {
      host: `localhost:${port}`,
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect(fx.server.session.runs).toBe(0);
  });

  it('this server own Origin is accepted', async () => {
    const port = new URL(fx.server.url).port;
    const response = await raw(
      'POST',
      '/servers',
      {
        host: `localhost:${port}`,
        origin: `http://localhost:${port}`,
        'content-type': 'application/json',
      },
      '{"name":"bad name"}',
    );
    expect(response.status).toBe(400); // got past the guards to validation
  });

  it('a body that is not JSON is refused with 415', async () => {
    const response = await fetch(`${fx.server.url}/servers`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"name":"web"}',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { code: string }).code).toBe('unsupported-media-type');
  });

  it('no CORS headers are ever sent', async () => {
    const port = new URL(fx.server.url).port;
    const preflight = await raw('OPTIONS', '/servers', {
      host: `127.0.0.1:${port}`,
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    const normal = await raw('GET', '/status', { host: `127.0.0.1:${port}`, origin: 'https://evil.example' });
    for (const response of [preflight, normal]) {
      expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('an unknown address is a JSON 404', async () => {
    const response = await fx.request('GET', '/nope');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('not-found');
  });
});
