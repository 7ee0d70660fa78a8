/**
 * Spec text that becomes a comment passes through here, and only here. It is
 * written by third parties, so nothing in it may end the comment (`*\/`),
 * start a new line that a parser treats differently (U+2028/2029, CR), or
 * carry invisible control characters.
 */

/** Longest description kept in generated comments; the README keeps the whole text. */
const MAX_DOC_LENGTH = 2000;

export function docText(text: string): string {
  let clean = text
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n")
    // C0/C1 controls other than newline and tab, and bidi overrides (Trojan Source).
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/\t/g, "  ")
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trim();
  if (clean.length > MAX_DOC_LENGTH) clean = `${clean.slice(0, MAX_DOC_LENGTH)}…`;
  // Break every "*/" so the comment cannot end early, and "/*" too (printers that re-wrap comments
  // can pair it with a "*" of their own); "@" at line start so text cannot forge JSDoc tags.
  return clean.replace(/\*\//g, "*\u2215").replace(/\/\*/g, "\u2215*").replace(/^(\s*)@/gm, "$1\uff20");
}

/** A JSON value shown inside a comment (`@default 3600`). */
export function docValue(value: unknown): string {
  return docText(JSON.stringify(value) ?? "undefined");
}
