/** Text as `sky` prints it: ANSI colours (always on for some commands) and CRLF removed. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this removes
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function plainText(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n');
}

export function plainLines(text: string): string[] {
  return plainText(text).split('\n');
}

// Pictographs (sky's 🎉, its ⚙︎) have no glyph in many fonts and show as boxes; the words around them say it
// all. The variation selector after one goes with it: U+FE0F (emoji style) or U+FE0E (text style, "⚙︎ Launching").
const HAS_PICTOGRAPH = /\p{Extended_Pictographic}/u;
const PICTOGRAPHS = /\p{Extended_Pictographic}[\uFE0E\uFE0F]?/gu;

/** A line of sky's output as the page shows it: no colours, no pictographs (indentation kept). */
export function displayText(text: string): string {
  const plain = plainText(text);
  if (!HAS_PICTOGRAPH.test(plain)) return plain;
  const indent = /^ */.exec(plain)?.[0] ?? '';
  return indent + plain.replace(PICTOGRAPHS, '').replace(/ {2,}/g, ' ').trim();
}
