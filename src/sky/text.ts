/** Text as `sky` prints it: ANSI colours (on a TTY or when forced) and CRLF removed. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this removes
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function plainLines(text: string): string[] {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n').split('\n');
}
