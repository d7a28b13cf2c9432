/** Finding programs on PATH, from the file system only (no process is started). */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve, sep } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, skipping folders inside `exclude` (our own install). */
export function findOnPath(name: string, pathVariable: string | undefined, exclude?: string): string | null {
  const excluded = exclude === undefined ? null : resolve(exclude);
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (!dir) continue;
    const full = resolve(dir);
    if (excluded && (full === excluded || full.startsWith(excluded + sep))) continue;
    const candidate = join(full, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}
