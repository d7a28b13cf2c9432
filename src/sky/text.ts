/** Text as `sky` prints it: ANSI colours (always on for some commands) and CRLF removed. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this removes
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function plainText(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n');
}

export function plainLines(text: string): string[] {
  return plainText(text).split('\n');
}
