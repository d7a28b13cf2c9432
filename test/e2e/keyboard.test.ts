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
    for (let i = 0; i < 4; i++) {
      order.push(await s.page.evaluate(() => document.activeElement?.id ?? ''));
      await s.page.keyboard.press('Tab');
    }
    expect(order).toEqual(['install-button', 'check-button', 'server-name', 'server-cloud']);
    await s.page.focus('#check-button');
    const outline = await s.page.$eval('#check-button', (button) => getComputedStyle(button).outlineStyle);
    expect(outline).toBe('solid');
    await s.page.keyboard.press('Enter');
    await s.page.locator('#clouds-panel').getByText('AWS: enabled').waitFor();
  });
});
