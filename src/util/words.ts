/**
 * Word counts as `text.split(/\s+/).filter(Boolean).length` gives them, without the
 * regex and the array: the maximal runs of code units that are not JavaScript
 * whitespace (`\s`). Scripted Red measures a dozen candidate texts per action this
 * way, which made the split its largest cost (issue 16).
 */

/** Whether a UTF-16 code unit is in JavaScript's `\s` class (ECMA-262 WhiteSpace and LineTerminator). */
export function isJsWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The number of whitespace-separated words in `text`. */
export function wordCount(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isJsWhitespace(text.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}
