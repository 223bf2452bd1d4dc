/**
 * Adversarial-suffix search against a real model (soft_prompt_gcg): a
 * gradient-free random search over suffix tokens (Andriushchenko et al. 2024,
 * "Jailbreaking leading safety-aligned LLMs with simple adaptive attacks", in its
 * simplest form: hill climbing with single-token swaps). The objective is the
 * one GCG optimises, log p(targetPrefix | prompt + suffix): the request is
 * rendered with the candidate suffix appended to its last message exactly as
 * the arena will send it (`${payload} ${suffix}`), the target prefix's tokens
 * are appended after the assistant header, and one forward pass scores them.
 *
 * `budget` forward passes in all (the first is the random start), deterministic
 * by seed; a swap is kept when the score does not fall, so a larger budget
 * replays the smaller one's steps and never ends worse. Candidate tokens are
 * the vocabulary entries that decode to short printable word pieces (no special
 * or control tokens), so the suffix survives the decode → re-encode round trip
 * as text. It deliberately does not use gradients (gcg-suffix.ts does). The
 * prompt up to the suffix is run once (`LensModel.sharedPrefix`), and a candidate
 * runs only what follows it; a candidate whose tokens do not start with that part
 * (a tokenizer that merges across the boundary) runs whole. Search results are
 * cached by the target (lens-target.ts).
 */

import type { InterventionInput } from "../../lens/interventions.js";
import type { LensModel } from "../../lens/model.js";
import type { LensTokenizer } from "../../lens/tokenizer.js";
import { SeigeError } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import type { SuffixSearchOptions, TargetRequest } from "../types.js";
import { requestTokens } from "./prompt.js";

/** The request with `suffix` appended to its last message, as the arena sends soft_prompt_gcg. */
export function withSuffix(request: TargetRequest, suffix: string): TargetRequest {
  const messages = request.messages.slice();
  const last = messages[messages.length - 1];
  messages[messages.length - 1] = { ...last, content: `${last.content} ${suffix}` };
  return { ...request, messages };
}

const PIECE = /^ ?[A-Za-z0-9][A-Za-z0-9'.,!?:;-]{0,11}$/;

/** Token ids that decode to a printable word piece (the search's alphabet). */
export function suffixVocabulary(tok: LensTokenizer, vocabSize: number): number[] {
  const special = new Set<number>(
    [tok.bosTokenId, tok.padTokenId, ...tok.eosTokenIds].filter((x): x is number => x !== null),
  );
  const ids: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    if (special.has(id) || tok.idToToken(id) === undefined) continue;
    if (PIECE.test(tok.decode([id], { skipSpecialTokens: true }))) ids.push(id);
  }
  if (ids.length === 0)
    throw new SeigeError(
      "config_error",
      "the tokenizer has no printable word-piece tokens to build an adversarial suffix from",
    );
  return ids;
}

/** A word that no tokenizer keeps whole, put where the suffix goes to find its place in the ids. */
const MARK = "qzxv";

function indexOf(hay: readonly number[], needle: readonly number[]): number {
  outer: for (let i = hay.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The request's ids with a suffix, split where the suffix goes: `before` it and `after`
 * it (the chat template's closing tokens and the assistant header). Null when the place
 * cannot be found (a tokenizer that merges the marker with its neighbours).
 */
export function splitAtSuffix(
  tok: LensTokenizer,
  request: TargetRequest,
  maxTokens: number,
): { before: number[]; after: number[] } | null {
  const full = requestTokens(tok, withSuffix(request, MARK).messages, maxTokens);
  const mark = tok.encode(` ${MARK}`, { addSpecialTokens: false });
  const at = indexOf(full, mark);
  return at < 0 ? null : { before: full.slice(0, at), after: full.slice(at + mark.length) };
}

/** Σ_k log p(prefix_k | prompt, prefix_<k) read off one forward pass's logits [pos, vocab]. */
export function prefixLogProb(
  logits: Float32Array,
  vocab: number,
  promptLen: number,
  prefix: readonly number[],
): number {
  let total = 0;
  prefix.forEach((t, k) => {
    const row = logits.subarray((promptLen - 1 + k) * vocab, (promptLen + k) * vocab);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) if (v > max) max = v;
    let z = 0;
    for (const v of row) z += Math.exp(v - max);
    total += row[t] - max - Math.log(z);
  });
  return total;
}

export interface LensSuffixSearch {
  model: LensModel;
  tokenizer: LensTokenizer;
  /** the search alphabet (suffixVocabulary), computed once per target */
  vocabulary: readonly number[];
  /** the request's own interventions, resolved */
  interventions: readonly InterventionInput[];
  suffixLength: number;
  /** prompt tokens allowed (context minus the target prefix) */
  maxPromptTokens: number;
}

export interface LensSuffixResult {
  suffix: string;
  /** log p(targetPrefix | request + suffix) */
  logProb: number;
  evaluations: number;
}

export async function searchSuffix(
  s: LensSuffixSearch,
  request: TargetRequest,
  options: SuffixSearchOptions,
): Promise<LensSuffixResult> {
  if (!Number.isInteger(options.budget) || options.budget < 1) {
    throw new SeigeError(
      "validation_error",
      `suffix search budget must be a positive integer, got ${options.budget}`,
    );
  }
  if (request.messages.length === 0)
    throw new SeigeError(
      "validation_error",
      "suffix search needs a request with at least one message",
    );
  const prefix = s.tokenizer.encode(options.targetPrefix, { addSpecialTokens: false });
  if (options.targetPrefix.trim().length === 0 || prefix.length === 0) {
    throw new SeigeError(
      "validation_error",
      'suffix search needs a non-empty targetPrefix such as "Sure, here is"',
    );
  }
  const rng = new Rng(`lens-suffix/${options.seed}`);
  const vocab = s.model.config.vocabSize;
  const decode = (ids: readonly number[]) =>
    s.tokenizer.decode(ids, { skipSpecialTokens: true }).trim();
  const maxTokens = s.maxPromptTokens - prefix.length;
  const before = splitAtSuffix(s.tokenizer, request, maxTokens)?.before ?? null;
  const shared = before && (await s.model.sharedPrefix(before, s.interventions));
  const score = async (ids: readonly number[]): Promise<number> => {
    const prompt = requestTokens(s.tokenizer, withSuffix(request, decode(ids)).messages, maxTokens);
    const seq = [...prompt, ...prefix];
    if (shared && before.every((t, i) => seq[i] === t) && prompt.length > before.length) {
      // The last |prefix| + 1 rows: row k predicts prefix[k].
      const [tail] = await shared.tails([seq.slice(before.length)], prefix.length + 1);
      return prefixLogProb(tail, vocab, 1, prefix);
    }
    const res = await s.model.runWithHooks(seq, s.interventions);
    return prefixLogProb(res.logits.data, vocab, prompt.length, prefix);
  };

  let best = Array.from({ length: s.suffixLength }, () => rng.pick(s.vocabulary));
  let bestScore = await score(best);
  for (let i = 1; i < options.budget; i++) {
    const cand = best.slice();
    cand[rng.int(cand.length)] = rng.pick(s.vocabulary);
    const sc = await score(cand);
    if (sc >= bestScore) {
      best = cand;
      bestScore = sc;
    }
  }
  return { suffix: decode(best), logProb: bestScore, evaluations: options.budget };
}
