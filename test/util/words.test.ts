import { describe, expect, it } from "vitest";
import { isJsWhitespace, wordCount } from "../../src/util/words.js";
import { randomTexts } from "../helpers/random-texts.js";

const bySplit = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe("wordCount", () => {
  it("classifies every UTF-16 code unit as the regex \\s does", () => {
    const mismatches: number[] = [];
    for (let c = 0; c < 0x10000; c++)
      if (isJsWhitespace(c) !== /\s/.test(String.fromCharCode(c))) mismatches.push(c);
    expect(mismatches).toEqual([]);
  });

  it("counts as split(/\\s+/).filter(Boolean) does", () => {
    const cases = [
      "",
      " ",
      "one",
      "  two  words ",
      "tabs\tand\nnew\r\nlines",
      "no\u00a0break and\u3000ideographic",
      "emoji 😀 pair",
      "- Sam",
    ];
    for (const text of cases) expect(wordCount(text), JSON.stringify(text)).toBe(bySplit(text));
  });

  it("agrees with the split on random texts", () => {
    const pieces = ["a", "b", " ", "  ", "\t", "\n", "\u2003", "\ufeff", "é", "\ud83d\ude00", "."];
    for (const text of randomTexts(pieces, 2000, 24, "words-test"))
      expect(wordCount(text), JSON.stringify(text)).toBe(bySplit(text));
  });
});
