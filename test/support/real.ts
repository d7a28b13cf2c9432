/**
 * The real programs' output kept in test/fixtures/real/: each file names the
 * program, version and upstream source its format comes from, then holds the
 * output (`--- stdout` / `--- stderr` sections) with {{PLACEHOLDER}}s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_FIXTURES_DIR } from '../mirror/artifacts.js';

export interface RealOutput {
  stdout: string;
  stderr: string;
  exit: number;
  /** The program and the version of it that printed this (`# program:`). */
  program: string;
  source: string;
}

export function realOutput(name: string, values: Record<string, string> = {}): RealOutput {
  const text = readFileSync(join(REAL_FIXTURES_DIR, `${name}.txt`), 'utf8');
  const fill = (section: string) =>
    Object.entries(values).reduce((filled, [key, value]) => filled.replaceAll(`{{${key}}}`, value), section);
  const section = (stream: string) => {
    const match = new RegExp(`^--- ${stream}\\n([\\s\\S]*?)(?=^--- |(?![\\s\\S]))`, 'm').exec(text);
    return fill(match?.[1] ?? '');
  };
  return {
    stdout: section('stdout'),
    stderr: section('stderr'),
    exit: Number(/^# exit: (\d+)$/m.exec(text)?.[1] ?? 'NaN'),
    program: /^# program: (.+)$/m.exec(text)?.[1] ?? '',
    source: /^# source: (.+)$/m.exec(text)?.[1] ?? '',
  };
}

export function realOutputNames(): string[] {
  return readdirSync(REAL_FIXTURES_DIR)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => name.slice(0, -'.txt'.length));
}
