/**
 * The sim's token count, an approximation of a BPE tokenizer good enough for
 * budgets: each run of letters counts one token per started 6 letters, each run
 * of digits one per started 3 digits, and every other non-space character one
 * token. "Hello, world!" → 4. It does not split text into real tokens.
 */
const PIECE = /\p{L}+|\p{N}+|[^\s\p{L}\p{N}]/gu;

export function countTokens(text: string): number {
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
