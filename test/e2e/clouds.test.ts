// The Clouds list: Add <cloud> updates that cloud in place and keeps the others, with its
// own steps (never back to the install's); every cloud the launch form says to add first
// can be added from it, and the others are marked until they are set up; a cloud not
// set up reads as such (no red, SkyPilot's text folded); a reload during or after Check
// Clouds keeps its busy state, its place in the log and its result, and a new tab gets
// the last check.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { folderWithPrograms } from '../support/path.js';
import { available, open, POLL, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

/** The Clouds list as shown: each cloud's name and what it says of it ("GCP: Not set up"). */
async function cloudLines(page: Page): Promise<string[]> {
  return page.locator('#clouds-list > li > .cloud').allTextContents();
}

/** What the progress panel and the install button showed, each time either changed. */
async function watchProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { steps: string[]; active: number; button: string; status: string; intro: string }[] = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    const record = () => {
      const items = [...document.querySelectorAll('#steps li')];
      seen.push({
        steps: items.map((item) => item.firstChild?.textContent ?? ''),
        active: items.findIndex((item) => item.classList.contains('active')),
        button: document.querySelector('#install-button')?.textContent ?? '',
        status: document.querySelector('#status-text')?.textContent ?? '',
        intro: document.querySelector('#clouds-intro')?.textContent ?? '',
      });
    };
    for (const id of ['progress-panel', 'tools-panel', 'clouds-panel'])
      new MutationObserver(record).observe(document.getElementById(id) as Node, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
  });
}

describe.skipIf(!available)('the Clouds list', () => {
  it('Add GCP: its own steps, never back; GCP updated in place, the others kept; then marked until it is set up', async () => {
    // Google's gcloud is there (sky check gcp looks it up), whatever this machine has.
    await open(s, { pathFront: [folderWithPrograms(['gcloud'])] });
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    const before = await cloudLines(s.page);
    expect(before).toContain('GCP: Not added');
    expect(before.length).toBeGreaterThan(2);
    // SkyPilot checks every cloud it supports (27 in its newest sky/check.py): Carapace's own are listed,
    // the other clouds not enabled are folded into one line that says how many.
    const others = s.page.locator('#clouds-others');
    const folded = await others.locator('li > .cloud').allTextContents();
    expect(folded).toContain('Cudo: Not set up');
    expect(before.some((line) => line.startsWith('Cudo'))).toBe(false);
    const summary = s.page.locator('#clouds-others-summary');
    await shows(summary, `${folded.length} more clouds SkyPilot supports, not set up on this computer`);
    expect(await others.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    const cudo = others.locator('li', { hasText: 'Cudo: Not set up' });
    expect(await cudo.isVisible()).toBe(false);
    await summary.click();
    await cudo.waitFor();
    // Not set up is no error: not in red. Lambda needs no library, only its credentials: no Add.
    const lambda = s.page.locator('#clouds-list > li', { hasText: 'Lambda: Not set up' });
    expect(await lambda.getByRole('button').count()).toBe(0);
    const color = await lambda.locator('.not-set-up').evaluate((element) => getComputedStyle(element).color);
    expect(color).not.toBe('rgb(164, 22, 26)');
    // What SkyPilot says (addresses, commands) is folded under its first sentence.
    await shows(lambda.locator('.reason').first(), 'Failed to access Lambda Cloud with credentials.');
    expect(await lambda.locator('details').evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    // Opened, it stays open while the list is drawn anew (the Add below, its check).
    await lambda.locator('summary').click();

    await watchProgress(s.page);
    await s.page.getByRole('button', { name: 'Add GCP' }).click();
    await shows(s.page.locator('#log'), 'GCP is added; it still needs to be set up');
    // SkyPilot checked GCP alone: the log says so after what it printed, so that its last line does not
    // read as if no cloud were enabled.
    await shows(
      s.page.locator('#log'),
      'Only GCP was checked; the other clouds are as the last Check Clouds listed them.',
    );
    const seen = await s.page.evaluate(
      () =>
        (
          window as unknown as {
            seen: { steps: string[]; active: number; button: string; status: string; intro: string }[];
          }
        ).seen,
    );
    // Until its first event the panel still holds the install's (folded) steps; from then on, its own.
    const start = seen.findIndex((each) => each.steps[0] === 'Installing GCP’s libraries');
    expect(start).toBeGreaterThanOrEqual(0);
    const during = seen.slice(start);
    for (const each of during)
      expect(each.steps).toEqual([
        'Installing GCP’s libraries',
        'Checking that SkyPilot runs',
        'Restarting SkyPilot’s API server',
        'Ready',
      ]);
    const active = during.map((each) => each.active).filter((index) => index >= 0);
    for (let i = 1; i < active.length; i++) expect(active[i]).toBeGreaterThanOrEqual(active[i - 1] ?? 0);
    expect(new Set(seen.map((each) => each.button))).toEqual(new Set(['Repair…']));
    expect(seen.some((each) => each.status === 'Adding GCP…')).toBe(true);
    expect(seen.some((each) => /installed…|being installed/.test(each.status))).toBe(false);
    // The cloud tools are installed: adding a cloud to them is not their install.
    expect(seen.filter((each) => each.intro.includes('installs the cloud tools first'))).toEqual([]);

    // The whole list, GCP where it was, now without an Add button and with what it still needs.
    await expect.poll(() => cloudLines(s.page), POLL).toContain('GCP: Not set up');
    expect(await lambda.locator('details').evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    // The Add button clicked is gone: the focus is on GCP's entry, not thrown back to the top of the page.
    const focused = () =>
      s.page.evaluate(() => document.activeElement?.closest('[data-cloud]')?.getAttribute('data-cloud'));
    expect(await focused()).toBe('GCP');
    const after = await cloudLines(s.page);
    expect(after.map((line) => line.split(':')[0])).toEqual(before.map((line) => line.split(':')[0]));
    const gcp = s.page.locator('#clouds-list > li', { hasText: 'GCP: Not set up' });
    await shows(gcp, 'gcloud auth application-default login');
    expect(await gcp.getByRole('button').count()).toBe(0);
    await shows(s.page.locator('#status-details'), 'AWS, GCP');
    await state(
      s,
      '11-cloud-added',
      'The Clouds list after Add GCP: every cloud still listed, "Not set up" in grey with the first sentence of why, SkyPilot’s text folded.',
    );

    // Each cloud the launch form marks "(add it first)" has its Add button in the Clouds panel.
    const options = await s.page.locator('#server-cloud option').allTextContents();
    const toAdd = options.filter((text) => text.endsWith(' (add it first)')).map((text) => text.split(' (')[0]);
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
    // GCP is offered, marked: the last check did not enable it; a launch there says why, in words.
    expect(options).toContain('GCP (not set up: see Clouds)');
    expect(options).toContain('AWS');
    await s.page.getByLabel('Name', { exact: true }).fill('web-1');
    await s.page.getByLabel('Cloud', { exact: true }).selectOption('gcp');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    const alert = s.page.locator('#launch-panel').getByRole('alert');
    await shows(alert, 'GCP is not set up on this computer');
    await shows(alert, 'See GCP in the Clouds list');
    expect(await alert.textContent()).not.toMatch(/ResourcesUnavailableError|sky\.exceptions/);
    // The launch failed after its request was answered (the event stream said so): closing the
    // error puts the focus back on Launch Server, not on the page's start.
    await alert.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => alert.count(), POLL).toBe(0);
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('launch-button');
  });

  it('Add from the row under the list, by keyboard: the focus stays in the Clouds panel, after a failure too', async () => {
    const f = await open(s);
    await s.page.getByRole('button', { name: 'Install cloud tools' }).click();
    const add = s.page.locator('#clouds-more').getByRole('button', { name: 'Add Kubernetes' });
    await add.waitFor({ timeout: 30_000 });
    // No check yet: what is installed is said here, the only place in the panel that could.
    await shows(
      s.page.locator('#clouds-installed'),
      'SkyPilot’s support for AWS is installed: Check Clouds to see whether it is set up.',
    );
    const focused = () =>
      s.page.evaluate(() => {
        const element = document.activeElement;
        return {
          text: element?.textContent ?? '',
          inClouds: element?.closest('#clouds-panel') !== null,
          body: element === document.body,
        };
      });
    // The package index fails: the add fails, its error shows where it was asked for.
    f.mirror.setFaults([{ match: '', kind: '500' }]);
    await add.focus();
    await s.page.keyboard.press('Enter');
    const alert = s.page.locator('#clouds-panel').getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect((await focused()).inClouds).toBe(true);
    // Closed, the focus goes back to Add Kubernetes: drawn anew, it is another element than the one pressed.
    await s.page.keyboard.press('Escape');
    await expect.poll(() => alert.count(), POLL).toBe(0);
    expect(await focused()).toMatchObject({ text: 'Add Kubernetes', inClouds: true });

    f.mirror.setFaults([]);
    await s.page.keyboard.press('Enter');
    await shows(s.page.locator('#log'), 'Kubernetes is added');
    const after = await focused();
    expect(after.body).toBe(false);
    expect(after.inClouds).toBe(true);
  });

  it('a reload during Check Clouds keeps it busy and shows its result; after it, the result stays; a new tab gets it', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    const check = s.page.getByRole('button', { name: /Check Clouds|Checking/ });
    await check.click();
    await s.page.locator('li[data-step="uv"].active').waitFor();
    await s.page.reload();
    await s.page.locator('li[data-step="uv"].active, li[data-step="packages"].active').first().waitFor();
    // Busy again: the check this page asked for before the reload is still on.
    await expect.poll(() => check.isDisabled(), POLL).toBe(true);
    await expect.poll(() => check.textContent(), POLL).toBe('Checking…');
    await state(
      s,
      '12-reload-during-check',
      'After a reload mid-check: the install steps and "Checking…" busy, as before it.',
    );
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor({ timeout: 30_000 });
    await expect.poll(() => check.isDisabled(), POLL).toBe(false);
    // Joined again, not asked again: the log says it once.
    expect(await s.page.locator('#log li', { hasText: /^Check Clouds$/ }).count()).toBe(1);

    await s.page.reload();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
    await shows(s.page.locator('#clouds-checked'), 'Last checked at');

    const other = await s.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    s.closers.push(() => other.close());
    await other.goto(f.server.pageUrl);
    await other.locator('#clouds-panel').getByText('AWS: Enabled').waitFor();
  });

  it('a reload right after Check Clouds is clicked keeps it in the log, while the install streams its lines', async () => {
    const f = await open(s);
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 150_000 }]);
    await s.page.getByRole('button', { name: 'Check Clouds' }).click();
    // The page has had no quiet 100 ms since the click: only the reload itself can have saved it.
    await s.page.reload();
    await s.page.locator('#clouds-panel').getByText('AWS: Enabled').waitFor({ timeout: 30_000 });
    expect(await s.page.locator('#log li', { hasText: /^Check Clouds$/ }).count()).toBe(1);
  });
});
