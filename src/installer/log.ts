/**
 * The end of the last install's log (logs/install.log), for "Show full log": read
 * as any file of the folder is (a regular file, not through a link, bounded), with
 * what must not be shown removed -- user names and passwords in addresses, and the
 * server's token.
 */
import type { LogTail } from '../api.js';
import type { Layout } from '../contract.js';
import { redactUrl } from '../redact.js';
import { readSmallFile } from '../status/files.js';

const MAX_LINES = 400;

export function installLogTail(layout: Layout, secrets: string[]): LogTail | null {
  const text = readSmallFile(layout.installLog, 8 * 1024 * 1024);
  if (text === null) return null;
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  const lines = all.slice(-MAX_LINES).map((line) => {
    let shown = redactUrl(line);
    for (const secret of secrets) if (secret) shown = shown.replaceAll(secret, '***');
    return shown;
  });
  return { path: layout.installLog, lines, omitted: all.length - lines.length };
}
