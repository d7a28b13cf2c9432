/** The benchmark's arithmetic: percentiles, spreads and the way figures are written. */
import { readFileSync } from 'node:fs';

export function percentile(values: number[], p: number): number {
  const all = [...values].sort((a, b) => a - b);
  return all[Math.min(all.length - 1, Math.floor(all.length * p))] ?? Number.NaN;
}
/** The middle value; of an even number of values, the mean of the two middle ones. */
export function median(values: number[]): number {
  const all = [...values].sort((a, b) => a - b);
  const middle = Math.floor(all.length / 2);
  return all.length % 2 === 1
    ? (all[middle] ?? Number.NaN)
    : ((all[middle - 1] ?? Number.NaN) + (all[middle] ?? Number.NaN)) / 2;
}
export const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
export const max = (values: number[]) => values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
export const min = (values: number[]) => values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);

export const ms = (value: number) => `${value.toFixed(Math.abs(value) < 10 ? 2 : 0)} ms`;
export const ratio = (value: number) => `${value.toFixed(2)}×`;
/** The 1-minute load average now. */
export function load(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** The length of the union of [start, end] intervals, clipped to [from, to]. */
export function covered(intervals: [number, number][], from: number, to: number): number {
  let total = 0;
  let reach = from;
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const s = Math.max(start, reach);
    const e = Math.min(end, to);
    if (e > s) {
      total += e - s;
      reach = e;
    }
  }
  return total;
}

/**
 * The difference of medians, side A over side B, in each of `samples` consecutive
 * blocks of interleaved runs: the spread of a comparison over time on a shared machine.
 */
function blockDifferences(a: number[], b: number[], samples = 5): number[] {
  const size = Math.floor(Math.min(a.length, b.length) / samples);
  return Array.from(
    { length: samples },
    (_, i) => median(a.slice(i * size, (i + 1) * size)) - median(b.slice(i * size, (i + 1) * size)),
  );
}

/** "+X ms (A vs B; spread over 5 blocks lo–hi)" for interleaved runs of two sides. */
export function overBaseline(a: number[], b: number[]): string {
  const blocks = blockDifferences(a, b);
  const signed = (value: number) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
  return `${signed(median(a) - median(b))} (${ms(median(a))} vs ${ms(median(b))}; 5 blocks: ${signed(min(blocks))} to ${signed(max(blocks))})`;
}
