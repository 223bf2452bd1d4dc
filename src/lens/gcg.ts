/**
 * Greedy Coordinate Gradient (Zou et al. 2023, "Universal and transferable
 * adversarial attacks on aligned language models"), on token ids: find a suffix
 * that makes the model continue `before ++ suffix ++ after` with `target`.
 * Each step
 *   1. takes the gradient of the target's cross-entropy with respect to the
 *      one-hot suffix tokens (model.grad's token gradient: dE · W_Eᵀ),
 *   2. keeps, per suffix position, the top-k tokens of the allowed vocabulary
 *      with the most negative gradient,
 *   3. samples `searchWidth` candidates, each replacing `replacements` random
 *      positions with random top-k tokens (seeded),
 *   4. scores every candidate exactly in batched forward passes and moves to
 *      the best one (as the paper does, even if it is worse than the current
 *      point); the best suffix seen so far is what is returned, so the reported
 *      loss never rises.
 * Stops on early success (every target token is the greedy choice), after
 * `maxSteps`, or when the budget of forward-pass equivalents is spent (a
 * gradient costs 1 forward + 1 backward, counted as 1 + BACKWARD_COST).
 *
 * `randomSearch` is the gradient-free baseline on the same objective and
 * budget (single-token swaps, kept when not worse: the algorithm of
 * src/target/lens/suffix.ts, here on ids). Not here: rendering chat requests
 * into before/after ids, or text round trips (callers pass `filter`).
 */
import { SeigeError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { lossValue } from "./grad/loss.js";
import type { InterventionInput } from "./interventions.js";
import type { LensModel } from "./model.js";
import type { LensTokenizer } from "./tokenizer.js";

/** A backward pass costs about two forward passes (two matmuls per forward matmul). */
export const BACKWARD_COST = 2;

export interface SuffixProblem {
  before: readonly number[];
  /** the starting suffix */
  suffix: readonly number[];
  after: readonly number[];
  target: readonly number[];
  /** `add` interventions active during the search (e.g. a steered target) */
  interventions?: readonly InterventionInput[];
}

export interface GcgOptions {
  /** candidate tokens (default: asciiVocabulary of the model's tokenizer, else every id) */
  allowed?: readonly number[];
  /** candidates scored per step (default 64) */
  searchWidth?: number;
  /** tokens kept per position from the gradient (default 32) */
  topK?: number;
  /** positions replaced per candidate (default 1) */
  replacements?: number;
  /** default 100 */
  maxSteps?: number;
  /** forward-pass equivalents in all (default unbounded) */
  budget?: number;
  /** stop once the target is the greedy continuation (default true) */
  earlyStop?: boolean;
  seed?: number | string;
  /** candidates per batched forward pass (default 4: larger CPU batches measured slower here) */
  batchSize?: number;
  /** extra acceptance test for a candidate suffix (e.g. it survives decode → encode) */
  filter?: (suffix: readonly number[]) => boolean;
}

export interface SuffixSearchResult {
  suffix: number[];
  /** Σ −log p(target | before ++ suffix ++ after) of `suffix` */
  loss: number;
  /** best-so-far loss after the start and after each step (never rises) */
  history: number[];
  steps: number;
  forwardPasses: number;
  backwardPasses: number;
  /** forwardPasses + BACKWARD_COST · backwardPasses */
  cost: number;
  stoppedBy: "early_stop" | "budget" | "steps";
}

const PRINTABLE = /^[\x20-\x7e]+$/;

/** Token ids that decode to non-empty printable ASCII and are not special (the non-ASCII filter). */
export function asciiVocabulary(tok: LensTokenizer, vocabSize: number): number[] {
  const special = new Set(
    [tok.bosTokenId, tok.padTokenId, ...tok.eosTokenIds].filter((x): x is number => x !== null),
  );
  const ids: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    if (special.has(id) || tok.idToToken(id) === undefined) continue;
    if (PRINTABLE.test(tok.decode([id], { skipSpecialTokens: true }))) ids.push(id);
  }
  return ids;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1)
    throw new SeigeError("validation_error", `gcg: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Scores suffixes exactly: loss and whether the target is the greedy continuation. The
 * prompt before the suffix is run once (`LensModel.sharedPrefix`); a candidate runs only
 * its suffix, the text after it and the target, and only the target's rows are unembedded.
 * A candidate still counts as one forward pass of the budget.
 */
class Scorer {
  forwardPasses = 0;
  private prefix: ReturnType<LensModel["sharedPrefix"]> | null = null;
  constructor(
    private readonly model: LensModel,
    private readonly p: SuffixProblem,
    private readonly batchSize: number,
  ) {}

  /** What follows the shared prompt: the suffix, the text after it, the target but its last token. */
  tail(suffix: readonly number[]): number[] {
    return [...suffix, ...this.p.after, ...this.p.target.slice(0, -1)];
  }

  async score(
    suffixes: readonly (readonly number[])[],
  ): Promise<{ loss: number; greedy: boolean }[]> {
    const out: { loss: number; greedy: boolean }[] = [];
    const v = this.model.config.vocabSize;
    const target = this.p.target;
    this.prefix ??= this.model.sharedPrefix(this.p.before, this.p.interventions ?? []);
    const prefix = await this.prefix;
    for (let i = 0; i < suffixes.length; i += this.batchSize) {
      const chunk = suffixes.slice(i, i + this.batchSize).map((s) => this.tail(s));
      // Rows k of each [target, V] block predict target[k].
      const logits = await prefix.tails(chunk, target.length);
      this.forwardPasses += chunk.length;
      for (const l of logits) {
        const loss = lossValue({ kind: "ce", target: [...target] }, l, 1, v);
        const greedy = target.every((tok, k) => {
          const row = l.subarray(k * v, (k + 1) * v);
          let arg = 0;
          for (let j = 1; j < v; j++) if (row[j] > row[arg]) arg = j;
          return arg === tok;
        });
        out.push({ loss, greedy });
      }
    }
    return out;
  }
}

function defaultAllowed(model: LensModel, allowed?: readonly number[]): readonly number[] {
  const v = model.config.vocabSize;
  const ids =
    allowed ??
    (model.tokenizer
      ? asciiVocabulary(model.tokenizer, v)
      : Array.from({ length: v }, (_, i) => i));
  if (ids.length === 0)
    throw new SeigeError("validation_error", "gcg: the allowed vocabulary is empty");
  for (const id of ids)
    if (!Number.isInteger(id) || id < 0 || id >= v)
      throw new SeigeError(
        "validation_error",
        `gcg: allowed token ${id} is outside the vocabulary`,
      );
  return ids;
}

function checkProblem(p: SuffixProblem): void {
  if (p.suffix.length === 0)
    throw new SeigeError("validation_error", "gcg: the suffix needs at least one token");
  if (p.target.length === 0)
    throw new SeigeError("validation_error", "gcg: the target needs at least one token");
  if (p.before.length + p.after.length + p.suffix.length === 0)
    throw new SeigeError("validation_error", "gcg: empty prompt");
}

export async function gcg(
  model: LensModel,
  p: SuffixProblem,
  o: GcgOptions = {},
): Promise<SuffixSearchResult> {
  checkProblem(p);
  const width = positiveInt(o.searchWidth ?? 64, "searchWidth");
  const topK = positiveInt(o.topK ?? 32, "topK");
  const nRepl = Math.min(positiveInt(o.replacements ?? 1, "replacements"), p.suffix.length);
  const maxSteps = positiveInt(o.maxSteps ?? 100, "maxSteps");
  const budget = o.budget ?? Number.POSITIVE_INFINITY;
  const allowed = defaultAllowed(model, o.allowed);
  const rng = new Rng(`gcg/${o.seed ?? 0}`);
  const scorer = new Scorer(model, p, positiveInt(o.batchSize ?? 4, "batchSize"));
  const v = model.config.vocabSize;
  const start = p.before.length;
  const n = p.suffix.length;
  let backward = 0;
  const cost = () => scorer.forwardPasses + backward * (1 + BACKWARD_COST);

  let current = [...p.suffix];
  const first = (await scorer.score([current]))[0];
  let best = { suffix: current, ...first };
  const history = [best.loss];
  let steps = 0;
  let stoppedBy: SuffixSearchResult["stoppedBy"] = "steps";
  while (true) {
    if (o.earlyStop !== false && best.greedy) {
      stoppedBy = "early_stop";
      break;
    }
    if (steps >= maxSteps) break;
    if (cost() + 1 + BACKWARD_COST + 1 > budget) {
      stoppedBy = "budget";
      break;
    }
    const prompt = [...p.before, ...current, ...p.after];
    const g = await model.grad(
      prompt,
      { kind: "ce", target: [...p.target] },
      {
        tokenGrad: true,
        interventions: p.interventions,
      },
    );
    backward++;
    const tg = g.tokenGrad!.data;
    // Per position: the allowed tokens whose one-hot gradient is most negative.
    const top = Array.from({ length: n }, (_, i) => {
      const row = tg.subarray((start + i) * v, (start + i + 1) * v);
      return smallestK(row, allowed, topK);
    });
    const seen = new Set<string>([current.join(",")]);
    const cands: number[][] = [];
    const room = Math.min(width, Math.floor(budget - cost()));
    for (let tries = 0; cands.length < room && tries < room * 4; tries++) {
      const c = current.slice();
      const positions = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, nRepl);
      for (const pos of positions) c[pos] = rng.pick(top[pos]);
      const key = c.join(",");
      if (seen.has(key) || (o.filter && !o.filter(c))) continue;
      seen.add(key);
      cands.push(c);
    }
    steps++;
    if (cands.length === 0) {
      history.push(best.loss);
      continue;
    }
    const scores = await scorer.score(cands);
    let j = 0;
    for (let i = 1; i < cands.length; i++) if (scores[i].loss < scores[j].loss) j = i;
    current = cands[j];
    if (scores[j].loss < best.loss) best = { suffix: current, ...scores[j] };
    history.push(best.loss);
  }
  return {
    suffix: best.suffix,
    loss: best.loss,
    history,
    steps,
    forwardPasses: scorer.forwardPasses + backward,
    backwardPasses: backward,
    cost: cost(),
    stoppedBy,
  };
}

/** The k ids of `ids` with the smallest `row[id]` (ties to the lower id), without sorting the vocabulary. */
export function smallestK(row: Float32Array, ids: readonly number[], k: number): number[] {
  const out: number[] = [];
  for (const id of ids) {
    const x = row[id];
    if (out.length === k && x >= row[out[k - 1]]) continue;
    let i = out.length < k ? out.length : k - 1;
    while (i > 0 && row[out[i - 1]] > x) i--;
    out.splice(i, 0, id);
    if (out.length > k) out.pop();
  }
  return out;
}

/** The gradient-free baseline: single-token swaps kept when not worse, `budget` forward passes in all. */
export async function randomSearch(
  model: LensModel,
  p: SuffixProblem,
  o: { budget: number; allowed?: readonly number[]; seed?: number | string; earlyStop?: boolean },
): Promise<SuffixSearchResult> {
  checkProblem(p);
  const budget = positiveInt(o.budget, "budget");
  const allowed = defaultAllowed(model, o.allowed);
  const rng = new Rng(`random-suffix/${o.seed ?? 0}`);
  const scorer = new Scorer(model, p, 1);
  let best = { suffix: [...p.suffix], ...(await scorer.score([p.suffix]))[0] };
  const history = [best.loss];
  let stoppedBy: SuffixSearchResult["stoppedBy"] = "budget";
  while (scorer.forwardPasses < budget) {
    if (o.earlyStop !== false && best.greedy) {
      stoppedBy = "early_stop";
      break;
    }
    const c = best.suffix.slice();
    c[rng.int(c.length)] = rng.pick(allowed);
    const s = (await scorer.score([c]))[0];
    if (s.loss <= best.loss) best = { suffix: c, ...s };
    history.push(best.loss);
  }
  return {
    suffix: best.suffix,
    loss: best.loss,
    history,
    steps: history.length - 1,
    forwardPasses: scorer.forwardPasses,
    backwardPasses: 0,
    cost: scorer.forwardPasses,
    stoppedBy,
  };
}
