/**
 * POSIX single quoting, for the one command line zx hands to `/bin/sh`: inside
 * single quotes nothing is special, so a value can only end its quotes with a
 * quote of its own, which is written as '\'' (close, escaped quote, reopen).
 */
export function posixQuote(value: string): string {
  if (value.includes('\0')) throw new Error('A program argument cannot hold a NUL byte.');
  return `'${value.replaceAll("'", "'\\''")}'`;
}
