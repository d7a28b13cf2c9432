/** The rows of bench/results.md, and the file itself, written whole by every run. */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { load } from './stats.js';

export interface Row {
  measure: string;
  /** Exactly what was timed: from which event to which, and from which process. */
  timed: string;
  /** Issue 12's figure. */
  issue12: string;
  /** The runs of bench/results.md before this one, the last first, and issue 20's re-measurement where it gave one. */
  previous: string;
  now: string;
  /** The 1-minute load average when the row began and when it ended. */
  load: string;
  target: string;
  runs: string;
}

export class Results {
  private readonly rows: Row[] = [];
  private readonly notes: string[] = [];

  /** Runs `measure` with the load average noted either side, and records the row it returns. */
  async row(measure: () => Promise<Omit<Row, 'load'> | Omit<Row, 'load'>[]>): Promise<void> {
    const before = load();
    const made = await measure();
    const loads = `${before.toFixed(2)} → ${load().toFixed(2)}`;
    for (const row of Array.isArray(made) ? made : [made]) {
      this.rows.push({ ...row, load: loads });
      console.log(`${row.measure}: ${row.now}   (load ${loads}; previous ${row.previous}; target ${row.target})`);
    }
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  write(file: URL, quick: boolean): void {
    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
    const cell = (text: string) => text.replaceAll('|', '\\|');
    const text = [
      '# Benchmark results',
      '',
      `Written by \`npm run bench\`${quick ? ' -- --quick (a check that every row runs: too few runs to quote)' : ''} on ${new Date().toISOString()}: ${machine}.`,
      '',
      'Every measured server runs in a process of its own with the token on, as a user runs it; every client',
      '(event streams, load, clicks) runs in other processes, and a baseline (`sh -c true`, `sky check`, a bare',
      'spawn) is started from the same kind of small client process as the side it is compared with. Comparisons',
      'alternate the two sides within one run. "load" is the 1-minute load average (`/proc/loadavg`, 2 cores)',
      'when the row began → when it ended: above ~1, other programs took CPU from the measurement.',
      '',
      'Columns: **issue 12** is what issue 12 measured; **before** gives the previous runs of `bench/results.md`,',
      'the last first: (stop 25) f134748, 18:12; (stop 23) bd84524, 15:02; (stop 22) c86daeb, 13:30; unmarked,',
      "2026-12-02 (ec8db94); and issue 20's independent re-measurement where it gave one. **now** is this run.",
      '',
      '| measure | what is timed | issue 12 | before | now | load | target | runs |',
      '|---|---|---|---|---|---|---|---|',
      ...this.rows.map((row) =>
        [row.measure, row.timed, row.issue12, row.previous, row.now, row.load, row.target, row.runs]
          .map(cell)
          .join(' | ')
          .replace(/^/, '| ')
          .replace(/$/, ' |'),
      ),
      '',
      ...this.notes.map((note) => `- ${note}`),
      '',
    ].join('\n');
    writeFileSync(file, text);
    console.log(`\nwritten to ${file.pathname}`);
  }
}
