// The page's layout: no panel changes column when the install progress appears, no
// empty column at 1280 px, the settings in a dialog of their own, the install folded
// away after success, and an activity log without terminal codes, with its line
// breaks, a Copy button and a live region that says summaries, not every line.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { available, open, POLL, pngSize, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

/** Each panel's column: its left edge. */
async function columns(page: Page): Promise<Record<string, number>> {
  return page.$$eval('main section.panel', (panels) =>
    Object.fromEntries(panels.map((panel) => [panel.id, Math.round(panel.getBoundingClientRect().left)])),
  );
}

describe.skipIf(!available)('the layout', () => {
  it('panels keep their columns when progress appears; no empty column at 1280 px; settings in a dialog', async () => {
    const f = await open(s);
    const before = await columns(s.page);
    // Two columns at 1280 px, each with panels in it.
    expect(new Set(Object.values(before)).size).toBe(2);
    const main = await s.page.locator('main').boundingBox();
    const rights = await s.page.$$eval('main section.panel', (panels) =>
      panels.map((panel) => Math.round(panel.getBoundingClientRect().right)),
    );
    expect(Math.max(...rights)).toBeGreaterThanOrEqual(Math.round((main?.x ?? 0) + (main?.width ?? 0)) - 1);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 200_000 }]);
    await s.page.getByRole('button', { name: 'Install cloud tools' }).click();
    await s.page.locator('li[data-step="uv"].active').waitFor();
    expect(await columns(s.page)).toEqual(before);
    // The settings are a dialog of their own, not a panel of the page.
    expect(await s.page.locator('main').getByLabel('Proxy').count()).toBe(0);
    await s.page.getByRole('button', { name: 'Network settings' }).click();
    await s.page.getByRole('dialog', { name: 'Network settings' }).getByLabel('Proxy').waitFor();
    await state(s, '25-settings-dialog', 'The Network settings dialog over the page during an install.');
    // What a user sees: the window, the backdrop over all of it, not the whole page with a band of backdrop.
    for (const width of [360, 800, 1280])
      expect(pngSize(`test-output/screenshots/25-settings-dialog-${width}.png`)).toEqual({ width, height: 1000 });
  });

  it('the install folds away after success; the log has no terminal codes, keeps line breaks, copies, and announces summaries', async () => {
    await open(s);
    await s.browser.contexts()[0]?.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(s.page.url()).origin,
    });
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    // Folded: its summary says how it ended; its steps are out of the way.
    await shows(s.page.locator('#progress-title'), 'Cloud tools installed');
    expect(await s.page.locator('#progress-panel').evaluate((panel) => (panel as HTMLDetailsElement).open)).toBe(false);
    expect(await s.page.locator('#steps').isVisible()).toBe(false);
    // sky check prints colours: none of their codes reach the log.
    const log = (await s.page.locator('#log').textContent()) ?? '';
    expect(log).toContain('Enabled infra');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape is what must not be there
    expect(log).not.toMatch(/\u001b|\[[0-9;]+m/);
    // What SkyPilot says of a cloud keeps its line breaks (folded under its first sentence).
    const reason = s.page.locator('#clouds-list .reason-more pre').first();
    expect(await reason.evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('pre-wrap');
    // The live region has the summary, not sky's lines; the log itself is not live.
    await shows(s.page.locator('#announcer'), 'Cloud check finished');
    expect(await s.page.locator('#log').getAttribute('aria-live')).toBeNull();
    await s.page.getByRole('button', { name: 'Copy' }).click();
    await shows(s.page.locator('#copy-said'), 'Copied');
    const copied = await s.page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain('Cloud check finished.');
    expect(copied.split('\n').length).toBeGreaterThan(10);
    await expect.poll(() => s.page.locator('#announcer').textContent(), POLL).not.toContain('Reason');
    // A line number of four digits fits the log's margin.
    const fits = await s.page.locator('#log').evaluate((log) => {
      const probe = document.createElement('span');
      probe.textContent = '1000.';
      probe.style.font = getComputedStyle(log).font;
      probe.style.position = 'absolute';
      document.body.append(probe);
      const width = probe.getBoundingClientRect().width;
      probe.remove();
      return width + 4 <= Number.parseFloat(getComputedStyle(log).paddingLeft);
    });
    expect(fits).toBe(true);
    // The log follows new lines, also after the window's width changed (its lines wrap anew).
    await s.page.setViewportSize({ width: 360, height: 900 });
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await expect.poll(() => s.page.locator('#log li', { hasText: 'Cloud check finished.' }).count(), POLL).toBe(2);
    const atEnd = () =>
      s.page.locator('#log').evaluate((log) => log.scrollTop + log.clientHeight >= log.scrollHeight - 8);
    await expect.poll(atEnd, POLL).toBe(true);
    // "Copied N lines." was of the log before this check: it grew, and the note went.
    await expect.poll(() => s.page.locator('#copy-said').textContent(), POLL).toBe('');
    await s.page.setViewportSize({ width: 1280, height: 1000 });
    await state(
      s,
      '26-folded',
      'After the install: "Cloud tools installed in N s" folded, the clouds, the log with Copy (its "Copied N lines." gone once the log grew).',
    );
  });
});
