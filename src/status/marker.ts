/** Reading install.json (the installer's marker) and finding `sky` on PATH: file system only, no processes. */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join, resolve, sep } from 'node:path';

export interface Marker {
  installer_version: string;
  uv_version: string;
  sky_version: string;
  spec: string;
  python: string;
  platform: string;
  installed_at: string;
}

const FIELDS = [
  'installer_version',
  'uv_version',
  'sky_version',
  'spec',
  'python',
  'platform',
  'installed_at',
] as const;

/** The marker, or null when it is missing or not a marker the installer wrote. */
export function readMarker(path: string): Marker | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  if (!FIELDS.every((field) => typeof record[field] === 'string' && record[field] !== '')) return null;
  return Object.fromEntries(FIELDS.map((field) => [field, record[field]])) as unknown as Marker;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, skipping folders inside `exclude` (our own install). */
export function findOnPath(name: string, pathVariable: string | undefined, exclude: string): string | null {
  const excluded = resolve(exclude);
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (!dir) continue;
    const full = resolve(dir);
    if (full === excluded || full.startsWith(excluded + sep)) continue;
    const candidate = join(full, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}
