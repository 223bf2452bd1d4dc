import { describe, expect, it } from "vitest";
import { plainWords } from "../../src/target/sim/render.js";

/** The regexes `plainWords` replaces on ASCII texts. */
const byRegex = (text: string) =>
  text
    .replace(/[^\p{L}\p{N}\s'-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();

describe("plainWords", () => {
  it("gives the regexes' result on every ASCII character, alone and between words", () => {
    for (let c = 0; c < 0x80; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [ch, `a${ch}b`, ` ${ch}${ch} x`, `x${ch}`])
        expect(plainWords(text), JSON.stringify(text)).toBe(byRegex(text));
    }
  });

  it("gives the regexes' result on random texts, ASCII or not", () => {
    const alphabet = [
      "a",
      "Z",
      "7",
      " ",
      "\t",
      "\n",
      "'",
      "-",
      ",",
      "?",
      "!",
      "é",
      "€",
      "😀",
      "\u00a0",
      "$",
    ];
    let state = 11;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state;
    };
    for (let n = 0; n < 3000; n++) {
      let text = "";
      const len = next() % 30;
      for (let i = 0; i < len; i++) text += alphabet[next() % alphabet.length];
      expect(plainWords(text), JSON.stringify(text)).toBe(byRegex(text));
    }
  });
});
