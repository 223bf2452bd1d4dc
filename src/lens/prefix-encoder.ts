/**
 * Encodes rendered chat texts that mostly repeat earlier ones. A session's next request
 * renders as its previous request, reply and new turn: the same system prompt and
 * history again, then a little more. The tokenizer library splits a text at its added
 * tokens first and encodes every piece between them on its own, so a text that starts
 * with an earlier one ending in such a token (`…<|im_end|>`) encodes as the earlier ids
 * followed by the rest's. This keeps the last few texts and encodes only what follows
 * the longest one that the new text continues.
 *
 * Exact where the library's pieces really are independent, which `boundaryTokens`
 * checks from tokenizer.json: a boundary is an added token matched in the raw text
 * (`normalized: false`) that strips no whitespace after it (`rstrip: false`) and is
 * part of no other added token; and no `Metaspace` pre-tokenizer (its `prepend_scheme:
 * "first"` treats the text's first piece differently). Otherwise every text is encoded
 * whole. test/lens/prefix-encoder.test.ts compares both on many conversations.
 */

type Json = Record<string, unknown>;

/** Texts kept: a tick's sessions, each one's last request. */
const KEPT = 32;

/** The added tokens a text may be cut after without changing its encoding (none: never). */
export function boundaryTokens(tokenizerJson: Json): string[] {
  if (JSON.stringify(tokenizerJson.pre_tokenizer ?? null).includes('"Metaspace"')) return [];
  const added = (tokenizerJson.added_tokens ?? []) as {
    content: string;
    rstrip?: boolean;
    normalized?: boolean;
  }[];
  return added
    .filter(
      (a) =>
        a.content.length > 0 &&
        a.rstrip !== true &&
        a.normalized !== true &&
        !added.some((b) => b.content !== a.content && b.content.includes(a.content)),
    )
    .map((a) => a.content);
}

export class PrefixEncoder {
  private kept: { text: string; ids: number[] }[] = [];

  constructor(
    private readonly encode: (text: string) => number[],
    private readonly boundaries: readonly string[],
  ) {}

  encodeText(text: string): number[] {
    let best: { text: string; ids: number[] } | null = null;
    for (const k of this.kept)
      if (
        k.text.length < text.length &&
        (best === null || k.text.length > best.text.length) &&
        text.startsWith(k.text)
      )
        best = k;
    const ids = best
      ? best.ids.concat(this.encode(text.slice(best.text.length)))
      : this.encode(text);
    const cut = this.lastBoundary(text);
    if (cut > 0) {
      // Keep the text up to its last boundary: that is what a continuation will share.
      const head = cut === text.length ? ids : this.encode(text.slice(cut));
      // a copy either way: the caller owns the array it gets back
      const kept = cut === text.length ? ids.slice() : ids.slice(0, ids.length - head.length);
      this.kept = this.kept.filter((k) => k.text !== text.slice(0, cut));
      this.kept.push({ text: text.slice(0, cut), ids: kept });
      if (this.kept.length > KEPT) this.kept.shift();
    }
    return ids;
  }

  /** The end of the last boundary token in `text` (0 when there is none). */
  private lastBoundary(text: string): number {
    let end = 0;
    for (const b of this.boundaries) {
      const at = text.lastIndexOf(b);
      if (at >= 0) end = Math.max(end, at + b.length);
    }
    return end;
  }
}
