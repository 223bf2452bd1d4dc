/**
 * Adversarial-suffix search against the sim (soft_prompt_gcg): a real
 * gradient-free random search (hill climbing with single-token swaps) over the
 * sim vocabulary. Each evaluation appends the candidate suffix to the request's
 * new turn and computes the sim's refusal score ρ for it; the search keeps a
 * swap when ρ does not rise. `budget` evaluations in all, deterministic by seed,
 * and a larger budget replays the smaller one's steps first, so it never ends
 * worse. In the sim the likelihood of `targetPrefix` ("Sure, here is") is
 * modelled by P(comply) = σ((threshold − ρ)/temperature), so minimising ρ is
 * maximising it; the prefix text itself does not enter the score. It does not
 * know which tokens carry hidden weight: it finds them by evaluating.
 */
import { SeigeError } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import type { SuffixSearchOptions, TargetRequest } from "../types.js";
import { evaluateRequest } from "./decision.js";
import type { SimGeometry } from "./geometry.js";

/** The request with `suffix` appended to its last message, as the arena sends soft_prompt_gcg. */
export function withSuffix(request: TargetRequest, suffix: string): TargetRequest {
  const messages = request.messages.slice();
  const last = messages[messages.length - 1];
  messages[messages.length - 1] = { ...last, content: `${last.content} ${suffix}` };
  return { ...request, messages };
}

export interface SuffixSearchResult {
  suffix: string;
  /** ρ of request + suffix (lower = more compliant) */
  refusalScore: number;
  evaluations: number;
}

export function searchSuffix(
  geo: SimGeometry,
  request: TargetRequest,
  options: SuffixSearchOptions,
): SuffixSearchResult {
  if (!Number.isInteger(options.budget) || options.budget < 1) {
    throw new SeigeError(
      "validation_error",
      `suffix search budget must be a positive integer, got ${options.budget}`,
    );
  }
  if (request.messages.length === 0) {
    throw new SeigeError(
      "validation_error",
      "suffix search needs a request with at least one message",
    );
  }
  if (options.targetPrefix.trim().length === 0) {
    throw new SeigeError(
      "validation_error",
      'suffix search needs a non-empty targetPrefix such as "Sure, here is"',
    );
  }
  const rng = new Rng(`sim-suffix/${options.seed}`);
  const { tokens } = geo.vocab;
  const score = (s: string[]) =>
    evaluateRequest(geo, withSuffix(request, s.join(" "))).decision.refusalScore;

  let best = Array.from({ length: geo.config.suffixLength }, () => rng.pick(tokens));
  let bestScore = score(best);
  for (let i = 1; i < options.budget; i++) {
    const cand = best.slice();
    cand[rng.int(cand.length)] = rng.pick(tokens);
    const s = score(cand);
    if (s <= bestScore) {
      best = cand;
      bestScore = s;
    }
  }
  return { suffix: best.join(" "), refusalScore: bestScore, evaluations: options.budget };
}
