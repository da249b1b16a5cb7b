/**
 * Characters a stored text must not hold, shared by the consensus-record import and the statement
 * forms. Pure, and safe in the browser.
 */

/**
 * A CRLF line ending is one line break: Windows editors save them and browsers send a textarea's
 * lines with them, so "\r\n" becomes "\n" before anything is checked or stored. A lone "\r" is
 * left alone, to be refused as a control character: nothing shows it as a line break.
 */
export function normalizeLineBreaks(text: string): string {
  return text.replace(/\r\n/g, "\n");
}

/** C0 and C1 control characters and DEL, except tab and line feed. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;

/** Bidirectional embeddings, overrides and isolates: they reorder how the text around them reads. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The first character `found` accepts, as "U+0000 at character 3" (counted as typed), or null. */
function firstMatch(text: string, found: (character: string, next: string | undefined) => boolean): string | null {
  const characters = [...text];
  const at = characters.findIndex((c, i) => found(c, characters[i + 1]));
  return at === -1 ? null : `${codePoint(characters[at]!)} at character ${at + 1}`;
}

/**
 * The first control character other than tab, line feed and the carriage return of a CRLF, or
 * null. Checked before normalizeLineBreaks, so the position is the one in the text as given.
 */
export function controlCharacterIn(text: string): string | null {
  return firstMatch(text, (c, next) => CONTROL.test(c) && !(c === "\r" && next === "\n"));
}

/** The first bidirectional control character, or null. */
export function bidiControlIn(text: string): string | null {
  return firstMatch(text, (c) => BIDI_CONTROL.test(c));
}

/** Text quoted for a message: JSON string escapes, and bidirectional and C1 controls escaped too. */
export function quoted(text: string): string {
  const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return JSON.stringify(text).replace(/[\u007F-\u009F\u202A-\u202E\u2066-\u2069]/gu, escape);
}
