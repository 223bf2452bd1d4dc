import { describe, expect, it } from "vitest";
import { plainWords } from "../../src/target/sim/render.js";
import { randomTexts } from "../helpers/random-texts.js";

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
    const pieces = [
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
    for (const text of randomTexts(pieces, 3000, 30, "plain-words-test"))
      expect(plainWords(text), JSON.stringify(text)).toBe(byRegex(text));
  });
});
