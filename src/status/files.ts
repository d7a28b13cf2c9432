/**
 * The small files of CARAPACE_HOME, read and written without trusting what sits at
 * their names. Read (the marker, the lock's owner, the token): only a regular file,
 * not through a symbolic link, never blocking (a FIFO), and never more than
 * `maxBytes`. Written (the token, settings.json, task files): see writeSmallFile.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

/**
 * Writes a whole file as nothing can intercept it: into a new file under a random
 * name, opened exclusively (O_EXCL: whatever sits at that name -- a link, a FIFO --
 * makes the open fail at once, and is never followed or waited on), given `mode`,
 * then renamed over `path`. A link or FIFO at `path` itself is replaced, never
 * opened; a reader sees the old file or the new one, never half of one.
 */
export function writeSmallFile(path: string, text: string, mode: number): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    mode,
  );
  try {
    try {
      writeFileSync(fd, text);
      fchmodSync(fd, mode); // the umask may have taken bits away; `mode` is what is meant
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
