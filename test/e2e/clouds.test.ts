// The Clouds list: Add <cloud> updates that cloud in place and keeps the others; every
// cloud the launch form says to add first can be added from it; a reload during or
// after Check Clouds keeps its busy state and its result, and a new tab gets the last check.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { folderWithPrograms } from '../support/path.js';
import { available, open, POLL, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

/** The Clouds list as shown: one line a cloud, by name. */
async function cloudLines(page: Page): Promise<string[]> {
  return page
    .locator('#clouds-list > li')
    .evaluateAll((items) =>
      items.map((item) => (item.firstChild?.textContent ?? '') + (item.children[0]?.textContent ?? '')),
    );
}

describe.skipIf(!available)('the Clouds list', () => {
  it('Add GCP: GCP updated in place, the others kept; every cloud the form says to add first can be added', async () => {
    // Google's gcloud is there (sky check gcp looks it up), whatever this machine has.
    await open(s, { pathFront: [folderWithPrograms(['gcloud'])] });
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    const before = await cloudLines(s.page);
    expect(before).toContain('GCP: disabled');
    expect(before.length).toBeGreaterThan(2);
    await s.page.getByRole('button', { name: 'Add GCP' }).click();
    await shows(s.page.locator('#log'), "GCP's libraries are installed; GCP still needs its credentials");
    // The whole list, GCP where it was, now without an Add button and with what it still needs.
    await expect.poll(() => cloudLines(s.page), POLL).toEqual(before);
    const gcp = s.page.locator('#clouds-list > li', { hasText: 'GCP: disabled' });
    await shows(gcp, 'gcloud auth application-default login');
    expect(await gcp.getByRole('button').count()).toBe(0);
    await shows(s.page.locator('#status-details'), 'aws, gcp');
    await state(
      s,
      '11-cloud-added',
      'The Clouds list after Add GCP: every cloud still listed, GCP saying it needs credentials.',
    );

    // Each cloud the launch form marks "(add it first)" has its Add button in the Clouds panel.
    const toAdd = await s.page.locator('#server-cloud option').evaluateAll((options) =>
      options
        .map((option) => option.textContent ?? '')
        .filter((text) => text.endsWith(' (add it first)'))
        .map((text) => text.replace(' (add it first)', '')),
    );
    expect(toAdd.length).toBeGreaterThan(0);
    expect(toAdd).not.toContain('GCP');
    for (const name of toAdd) {
      expect(
        await s.page
          .locator('#clouds-panel')
          .getByRole('button', { name: `Add ${name}` })
          .count(),
        name,
      ).toBe(1);
    }
  });

  it('a reload during Check Clouds keeps it busy and shows its result; after it, the result stays; a new tab gets it', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    const check = s.page.getByRole('button', { name: /Check Clouds|Checking/ });
    await check.click();
    await s.page.locator('li[data-step="downloading"].active').waitFor();
    await s.page.reload();
    await s.page.locator('li[data-step="downloading"].active, li[data-step="installing"].active').first().waitFor();
    // Busy again: the check this page asked for before the reload is still on.
    await expect.poll(() => check.isDisabled(), POLL).toBe(true);
    await expect.poll(() => check.textContent(), POLL).toBe('Checking…');
    await state(
      s,
      '12-reload-during-check',
      'After a reload mid-check: the install steps and "Checking…" busy, as before it.',
    );
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor({ timeout: 30_000 });
    await expect.poll(() => check.isDisabled(), POLL).toBe(false);

    await s.page.reload();
    await s.page.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
    await shows(s.page.locator('#clouds-checked'), 'Last checked at');

    const other = await s.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    s.closers.push(() => other.close());
    await other.goto(f.server.pageUrl);
    await other.locator('#clouds-panel').getByText('AWS: enabled (compute, storage)').waitFor();
  });
});
