/**
 * Reading the small files the installer writes (the marker, the lock's owner)
 * without trusting what sits at their names: only a regular file, not through a
 * symbolic link, never blocking (a FIFO), and never more than `maxBytes`.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export function readSmallFile(path: string, maxBytes = 64 * 1024): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return null;
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) return null;
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The JSON object in a small file, or null. */
export function readJsonObject(path: string): Record<string, unknown> | null {
  const text = readSmallFile(path);
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
