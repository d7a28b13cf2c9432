// The token: kept from the printed link to this tab only; without it, a login card.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { available, open, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('The token', () => {
  it('keeps the token from the printed link to itself: no other port gets it, the history holds none', async () => {
    const f = await open(s);
    // Another web server on this machine (a dev server, another user's program), visited in the same browser.
    const seen: string[] = [];
    const other = createServer((req, res) => {
      seen.push(JSON.stringify(req.headers));
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>another local site</p>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    s.closers.push(() => new Promise((resolve) => other.close(() => resolve())));
    expect(s.page.url()).not.toContain(f.server.token);
    const { port } = other.address() as AddressInfo;
    for (const host of ['127.0.0.1', 'localhost']) {
      await s.page.goto(`http://${host}:${port}/`);
      await s.page.goto(`http://${host}:${port}/favicon.ico`);
    }
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const headers of seen) expect(headers).not.toContain(f.server.token);
    expect(await s.page.context().cookies()).toEqual([]);
    // Back through the history to Carapace: no entry holds the token, and the tab still works without it.
    const visited: string[] = [];
    for (let i = 0; i < 4; i++) {
      await s.page.goBack();
      visited.push(s.page.url());
    }
    expect(visited.join(' ')).not.toContain('token');
    expect(visited).toContain(`${f.server.url}/`);
    await s.page.goto(`${f.server.url}/`);
    await s.page.getByRole('button', { name: 'Check Clouds' }).waitFor();
    expect(await s.page.locator('#login-card').isHidden()).toBe(true);
  });

  it('opened without the token, is a login card that takes the pasted token, and says when it is wrong', async () => {
    const f = await open(s);
    await s.page.close();
    s.page = await s.browser.newPage({ viewport: { width: 800, height: 800 } });
    const fresh = s.page;
    await fresh.goto(`${f.server.url}/`);
    await fresh.getByRole('heading', { name: 'Open Carapace with its token' }).waitFor();
    expect(await fresh.locator('#app').isHidden()).toBe(true);
    expect(await fresh.getByRole('button', { name: 'Check Clouds' }).count()).toBe(0);
    const field = fresh.getByLabel('Token', { exact: true });
    expect(await fresh.evaluate(() => document.activeElement?.id)).toBe('login-token');
    await field.fill('not-the-token-0123456789abcdef');
    await fresh.getByRole('button', { name: 'Open Carapace' }).click();
    await fresh.getByText('That is not the token of this Carapace').waitFor();
    await state(s, '00-login', 'the login card after a wrong token');
    await field.fill(f.server.token);
    await fresh.getByRole('button', { name: 'Open Carapace' }).click();
    await fresh.getByRole('button', { name: 'Check Clouds' }).waitFor();
  });
});
