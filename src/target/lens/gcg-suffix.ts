/**
 * soft_prompt_gcg with gradients: the lens GCG (src/lens/gcg.ts) on the request
 * as the arena renders it. The request is rendered once with a marker in place
 * of the suffix (`splitAtSuffix`, exactly as `withSuffix` appends), the
 * marker's tokens are located in the ids, and GCG optimises the ids between the
 * two halves for log p(targetPrefix | …). Candidates must survive the text round
 * trip (`encode(" " + decode(ids).trim())` gives back the same ids), so the
 * suffix text the arena sends is scored exactly as optimised. `budget` is spent
 * in forward-pass equivalents (a gradient counts 1 + BACKWARD_COST).
 *
 * When the marker cannot be located (an unusual tokenizer merges it with its
 * neighbours), or the options are invalid, this returns null and the caller
 * falls back to the random search (which reports invalid options).
 * Not here: caching (lens-target.ts), the random search (suffix.ts).
 */
import { gcg } from "../../lens/gcg.js";
import { Rng } from "../../util/rng.js";
import type { SuffixSearchOptions, TargetRequest } from "../types.js";
import { type LensSuffixResult, type LensSuffixSearch, splitAtSuffix } from "./suffix.js";

/** GCG's own knobs (defaults: width budget/4 within [4, 64], top-k 64). */
export interface GcgSuffixTuning {
  searchWidth?: number;
  topK?: number;
}

export async function gcgSuffix(
  s: LensSuffixSearch,
  request: TargetRequest,
  options: SuffixSearchOptions,
  tuning: GcgSuffixTuning = {},
): Promise<LensSuffixResult | null> {
  const tok = s.tokenizer;
  const target = tok.encode(options.targetPrefix, { addSpecialTokens: false });
  const enc = (text: string) => tok.encode(text, { addSpecialTokens: false });
  // Bad options: let the random search raise its validation errors (one set of rules).
  const valid =
    Number.isInteger(options.budget) && options.budget >= 1 && request.messages.length > 0;
  if (!valid || options.targetPrefix.trim() === "" || target.length === 0) return null;
  const split = splitAtSuffix(tok, request, s.maxPromptTokens - target.length - s.suffixLength);
  if (split === null) return null;
  const roundTrip = (ids: readonly number[]) =>
    enc(` ${tok.decode([...ids], { skipSpecialTokens: true }).trim()}`);
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const rng = new Rng(`lens-gcg-suffix/${options.seed}`);
  const start = roundTrip(Array.from({ length: s.suffixLength }, () => rng.pick(s.vocabulary)));
  const res = await gcg(
    s.model,
    {
      before: split.before,
      suffix: start,
      after: split.after,
      target,
      interventions: s.interventions,
    },
    {
      allowed: s.vocabulary,
      budget: Math.max(options.budget, 4),
      searchWidth: tuning.searchWidth ?? Math.max(4, Math.min(64, Math.floor(options.budget / 4))),
      topK: tuning.topK ?? 64,
      batchSize: 4,
      seed: options.seed,
      filter: (ids) => same(roundTrip(ids), ids),
    },
  );
  return {
    suffix: tok.decode(res.suffix, { skipSpecialTokens: true }).trim(),
    logProb: -res.loss,
    evaluations: res.forwardPasses,
  };
}
