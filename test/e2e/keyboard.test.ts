// Keyboard use and labels.
import { describe, expect, it } from 'vitest';
import { available, open, usePage } from './helpers.js';

const s = usePage(import.meta.url);

describe.skipIf(!available)('Keyboard use and labels', () => {
  it('works with the keyboard and labels every control', async () => {
    await open(s);
    const unlabelled = await s.page.$$eval('input, select, textarea', (controls) =>
      controls
        .filter(
          (control) =>
            (control as HTMLInputElement).labels?.length === 0 &&
            !control.getAttribute('aria-labelledby') &&
            !control.getAttribute('aria-label'),
        )
        .map((control) => control.id),
    );
    expect(unlabelled).toEqual([]);
    await s.page.keyboard.press('Tab');
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      order.push(await s.page.evaluate(() => document.activeElement?.id ?? ''));
      await s.page.keyboard.press('Tab');
    }
    expect(order).toEqual(['settings-button', 'install-button', 'status-more-summary', 'check-button', 'server-name']);
    await s.page.focus('#check-button');
    const outline = await s.page.$eval('#check-button', (button) => getComputedStyle(button).outlineStyle);
    expect(outline).toBe('solid');
    await s.page.keyboard.press('Enter');
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
  });

  it('reaches every action with Tab alone', async () => {
    await open(s);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    await s.page.getByRole('row', { name: /web-1/ }).getByText('Running').waitFor();
    await s.page.locator('body').focus();
    const shown = await s.page.$$eval('button, input, select, summary, [tabindex="0"]', (controls) =>
      controls
        .filter((control) => control.checkVisibility() && !(control as HTMLButtonElement).disabled)
        .map((control) => control.getAttribute('aria-label') || control.id || control.textContent?.trim() || ''),
    );
    const reached = new Set<string>();
    for (let i = 0; i < shown.length + 10; i++) {
      await s.page.keyboard.press('Tab');
      reached.add(
        await s.page.evaluate(() => {
          const active = document.activeElement;
          return active?.getAttribute('aria-label') || active?.id || active?.textContent?.trim() || '';
        }),
      );
    }
    expect(shown.filter((name) => !reached.has(name))).toEqual([]);
    for (const name of [
      'Tear down web-1',
      'Add GCP',
      'copy-log-button',
      'Refresh: ask the clouds for each server’s status',
    ])
      expect(reached.has(name), name).toBe(true);
  });
});
