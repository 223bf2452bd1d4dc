/**
 * The sim's token count, an approximation of a BPE tokenizer good enough for
 * budgets: each run of letters counts one token per started 6 letters, each run
 * of digits one per started 3 digits, and every other non-space character one
 * token. "Hello, world!" → 4. It does not split text into real tokens.
 */
const PIECE = /\p{L}+|\p{N}+|[^\s\p{L}\p{N}]/gu;

/** ASCII letters (1), digits (2), whitespace (3), other (0): what PIECE's classes are on ASCII. */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII_CLASS[c] = /\p{L}/u.test(ch) ? 1 : /\p{N}/u.test(ch) ? 2 : /\s/.test(ch) ? 3 : 0;
}

/**
 * The same count over ASCII text without the regex (the common case, and a hot
 * one: every reply and every Red payload is counted); null at the first
 * non-ASCII character, where the regex takes over.
 */
function countAscii(text: string): number | null {
  let n = 0;
  let run = 0;
  let runClass = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return null;
    const k = ASCII_CLASS[c];
    if (k === runClass && (k === 1 || k === 2)) {
      run++;
      continue;
    }
    if (runClass === 1) n += Math.ceil(run / 6);
    else if (runClass === 2) n += Math.ceil(run / 3);
    runClass = k;
    run = 1;
    if (k === 0) n += 1;
  }
  if (runClass === 1) n += Math.ceil(run / 6);
  else if (runClass === 2) n += Math.ceil(run / 3);
  return n;
}

export function countTokens(text: string): number {
  const ascii = countAscii(text);
  if (ascii !== null) return ascii;
  let n = 0;
  for (const m of text.matchAll(PIECE)) {
    const s = m[0];
    if (/^\p{L}/u.test(s)) n += Math.ceil(s.length / 6);
    else if (/^\p{N}/u.test(s)) n += Math.ceil(s.length / 3);
    else n += 1;
  }
  return n;
}

/** The longest prefix of `text` that counts at most `max` tokens (cut at a piece boundary). */
export function truncateTokens(text: string, max: number): string {
  let n = 0;
  for (const m of text.matchAll(PIECE)) {
    const s = m[0];
    const c = /^\p{L}/u.test(s)
      ? Math.ceil(s.length / 6)
      : /^\p{N}/u.test(s)
        ? Math.ceil(s.length / 3)
        : 1;
    if (n + c > max) return text.slice(0, m.index).trimEnd();
    n += c;
  }
  return text;
}
