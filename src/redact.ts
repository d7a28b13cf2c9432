/** What must never be shown back: a password in an address. */

/** http://user:secret@host -> http://user:***@host, wherever it appears in the text. */
export function redactUrl(value: string): string {
  return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*):[^/@\s]*@/gi, '$1:***@');
}
