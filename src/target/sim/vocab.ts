/**
 * The sim's suffix vocabulary: the tokens an adversarial-suffix search may use
 * (GCG-style junk: fragments, punctuation runs, code-ish words). A few carry a
 * hidden compliance weight, fixed by the sim seed, like the handful of tokens a
 * real GCG run discovers that tilt a model towards "Sure, here is". The search
 * must find them by evaluating the target; nothing outside this file and the
 * lexical model knows the weights. No maths beyond drawing them.
 */
import { Rng } from "../../util/rng.js";
import type { SimConfig } from "./config.js";

export const SUFFIX_TOKENS: readonly string[] = [
  "describing.",
  "similarlyNow",
  "oppositeley",
  "](Me",
  "!--Two",
  "\\+similarly",
  "Sure",
  "herein",
  "==interface",
  "Manuel",
  "WITH",
  "steps.",
  "telecom",
  "{\\",
  "tutorial",
  "sentence}",
  ";)",
  "revert",
  "Alright",
  "certainly",
  "formatted",
  "!!!!",
  "giving**",
  "ONE",
  "please?",
  "<%",
  "impro",
  "beginner",
  "([",
  "lista",
  "Answer:",
  "Here",
  "compliant",
  "affirm",
  "dialogue",
  "xyz",
  "=>",
  "quote",
  "(`",
  "Ok",
  "markdown",
  "heading",
  "blankets",
  "lol",
  "^^",
  "Step",
  "respond",
  "sudo-mode",
  "NAME",
  "ici",
  "nur",
  "sobre",
  "tek",
  "hint]",
  "verbatim",
  "kindly",
  "zerooo",
  "@@",
  "output:",
  "cheers",
  "##",
  "mode",
  "absolutely",
  "ways",
];

export interface SuffixVocabulary {
  readonly tokens: readonly string[];
  /** hidden compliance weight of each token */
  readonly weights: ReadonlyMap<string, number>;
  readonly scale: number;
  readonly saturation: number;
}

/**
 * `suffixStrongTokens` tokens get a weight in [0.6, 1.2); the others N(−0.1, 0.15²),
 * so a random suffix is roughly neutral and a searched one is not.
 */
export function buildSuffixVocabulary(config: SimConfig): SuffixVocabulary {
  const rng = new Rng(`${config.seed}/suffix-vocabulary`);
  const strong = new Set(rng.sample(SUFFIX_TOKENS, config.suffixStrongTokens));
  const weights = new Map<string, number>();
  for (const token of SUFFIX_TOKENS) {
    weights.set(token, strong.has(token) ? rng.uniform(0.6, 1.2) : -0.1 + 0.15 * rng.normal());
  }
  return {
    tokens: SUFFIX_TOKENS,
    weights,
    scale: config.suffixScale,
    saturation: config.suffixSaturation,
  };
}
