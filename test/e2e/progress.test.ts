// The install's progress with the real programs' sizes (uv's archive, a Python and
// SkyPilot's packages: about 133 MB) on a throttled line: each step has its share of
// the bar, the share under way moves with every report, the bar never goes back, the
// time left is never "1 s" and no step sits at 99%, and a reload shows the same bar.
import { describe, expect, it } from 'vitest';
import { REAL_SIZES } from '../mirror/artifacts.js';
import { type Mirror, startMirror } from '../mirror/server.js';
import { available, bar, open, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);

/** 48 Mbit/s: the packages take about 20 s. */
const BYTES_PER_SECOND = 6_000_000;

/** The mirror makes each file on its first request: made before the clock starts, as the benchmark does. */
async function realSizedMirror(): Promise<Mirror> {
  const mirror = await startMirror({ sizes: REAL_SIZES });
  s.closers.push(() => mirror.close());
  const page = await (await fetch(`${mirror.indexUrl}/skypilot-nightly/`)).text();
  for (const [, href] of page.matchAll(/href="(\/packages\/[^"#]+)/g))
    await (await fetch(`${mirror.url}${href}`)).arrayBuffer();
  mirror.reset();
  return mirror;
}

interface Seen {
  value: number;
  text: string;
  step: string;
  /** The installer's line shown under the bar. */
  line: string;
}

describe.skipIf(!available)('install progress, real sizes', () => {
  it('moves with every report, never back, no 99% or "1 s" while packages download, the same after a reload', async () => {
    const mirror = await realSizedMirror();
    const f = await open(s, { mirror, env: { UV_PYTHON_INSTALL_MIRROR: mirror.pythonBase } });
    mirror.setFaults([{ match: '', kind: 'slow', bytesPerSecond: BYTES_PER_SECOND }]);
    // Every change of the bar or its text, as drawn.
    const watch = () =>
      s.page.evaluate(() => {
        const seen: { value: number; text: string; step: string; line: string }[] = [];
        (window as unknown as { seen: typeof seen }).seen = seen;
        const record = () => {
          const bar = document.querySelector('#download-progress') as HTMLProgressElement;
          seen.push({
            value: bar.value,
            text: document.querySelector('#download-text')?.textContent ?? '',
            step: document.querySelector('#steps li[aria-current]')?.getAttribute('data-step') ?? '',
            line: document.querySelector('#progress-text')?.textContent ?? '',
          });
        };
        new MutationObserver(record).observe(document.querySelector('#progress-panel') as Node, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
      });
    const seen = () => s.page.evaluate(() => (window as unknown as { seen: Seen[] }).seen);
    await watch();
    await s.page.getByRole('button', { name: 'Install cloud tools' }).click();
    // Halfway through the packages (past 40 MB of them): a reload shows the bar where it was.
    await s.page.waitForFunction(
      () => {
        const text = document.querySelector('#download-text')?.textContent ?? '';
        const mb = /(\d+\.\d) MB downloaded/.exec(text);
        return mb && Number(mb[1]) > 40;
      },
      undefined,
      { timeout: 90_000 },
    );
    await state(
      s,
      '10-packages-real-sizes',
      'Real sizes: "Downloading and installing SkyPilot" active, the bar past a third, "N MB downloaded" and the time left in this step.',
    );
    const before = await seen();
    const shown = await bar(s.page);
    await s.page.reload();
    await s.page.locator('#steps li[data-step="packages"].active').waitFor();
    const after = await bar(s.page);
    expect(after.value).toBeGreaterThanOrEqual(shown.value);
    await watch();
    await s.page.locator('#steps li[data-step="ready"].done').waitFor({ state: 'attached', timeout: 90_000 });
    const rest = await seen();

    for (const run of [before, rest]) {
      // Never back.
      for (let i = 1; i < run.length; i++) expect(run[i]?.value).toBeGreaterThanOrEqual(run[i - 1]?.value ?? 0);
      // While the packages download: the bar moves with every report, far from 99%, and never says "1 s".
      const packages = run.filter((each) => each.step === 'packages' && / MB downloaded/.test(each.text));
      const megabytes = (text: string) => Number(/(\d+\.\d) MB downloaded/.exec(text)?.[1]);
      // Once uv has said the packages are prepared, the bar stands where it says (progress.js,
      // PACKAGE_MILESTONES): bytes its cache takes on after that no longer move it.
      const prepared = packages.findIndex((each) => /^\s*(Prepared|Installed) \d+ packages?/.test(each.line));
      const downloading = prepared < 0 ? packages : packages.slice(0, prepared);
      for (let i = 1; i < downloading.length; i++) {
        const [a, b] = [downloading[i - 1] as Seen, downloading[i] as Seen];
        if (megabytes(b.text) > megabytes(a.text)) expect(b.value, `${a.text} -> ${b.text}`).toBeGreaterThan(a.value);
      }
      for (const each of packages) {
        expect(each.value).toBeLessThan(95);
        expect(each.text).not.toMatch(/\b99%|\b1 s\b/);
      }
    }
    // uv's milestone lines are shown: the cut above is at a line the page really drew.
    expect(rest.some((each) => /^\s*(Prepared|Installed) \d+ packages?/.test(each.line))).toBe(true);
    const packages = [...before, ...rest].filter(
      (each) => each.step === 'packages' && / MB downloaded/.test(each.text),
    );
    expect(packages.length).toBeGreaterThan(10);
    // The time left is said once the speed is steady.
    expect(packages.some((each) => / s left in this step| min left in this step/.test(each.text))).toBe(true);
    expect((await bar(s.page)).value).toBe(100);
    expect(f.server.store.status().state).toBe('installed');
  }, 240_000);
});
