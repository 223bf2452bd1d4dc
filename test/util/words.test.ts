import { describe, expect, it } from "vitest";
import { isJsWhitespace, wordCount } from "../../src/util/words.js";

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
    const alphabet = [
      "a",
      "b",
      " ",
      "  ",
      "\t",
      "\n",
      "\u2003",
      "\ufeff",
      "é",
      "\ud83d\ude00",
      ".",
    ];
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state;
    };
    for (let n = 0; n < 2000; n++) {
      let text = "";
      const len = next() % 24;
      for (let i = 0; i < len; i++) text += alphabet[next() % alphabet.length];
      expect(wordCount(text), JSON.stringify(text)).toBe(bySplit(text));
    }
  });
});
