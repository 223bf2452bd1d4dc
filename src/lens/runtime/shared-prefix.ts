/**
 * Scoring many continuations of one prefix: an adversarial-suffix search scores
 * hundreds of prompts that differ only in their last few dozen tokens (the suffix, the
 * chat template's closing tokens, the target reply). The shared part (the system prompt,
 * the history, the payload) is run once; each candidate then runs only its own tail
 * over a copy of that KV, and only the logits the score reads (the last `k` positions)
 * go through the unembedding, not every position's vocabulary-wide row.
 *
 * The prefix runs under the same intervention plan as the tails, so a candidate scores
 * as one forward pass of the whole sequence would, within float rounding (the cached and
 * the new columns are scored apart and softmaxed together, as in generation).
 */
import { type Engine, type KvCache, prefillChunk } from "./engine.js";
import type { SequencePlan } from "./plan.js";
import { PrefixCache, type PrefixMatch } from "./prefix-cache.js";
import { headMasks, makeVisitor } from "./visitor.js";

const SIGNATURE = "shared-prefix";

export class SharedPrefix {
  private constructor(
    private readonly engine: Engine,
    private readonly plan: SequencePlan,
    /** holds the prefix's KV (one entry); null for an empty prefix */
    private readonly store: PrefixCache | null,
    private readonly match: PrefixMatch | null,
    readonly tokens: readonly number[],
  ) {}

  /** Runs `tokens` once under `plan` and keeps their keys and values. */
  static async create(
    engine: Engine,
    tokens: readonly number[],
    plan: SequencePlan,
  ): Promise<SharedPrefix> {
    if (plan.list.some((iv) => iv.kind === "capture"))
      throw new RangeError("SharedPrefix: captures are not kept; run the sequence whole");
    const n = tokens.length;
    if (n === 0) return new SharedPrefix(engine, plan, null, null, []);
    const kv = engine.emptyCache(1, n);
    const chunk = prefillChunk(1, engine.config.nHeads, kv.capacity);
    const masks = headMasks([plan], engine.config.nHeads);
    for (let c0 = 0; c0 < n; c0 += chunk) {
      const c1 = Math.min(n, c0 + chunk);
      const positions = Int32Array.from({ length: c1 - c0 }, (_, i) => c0 + i);
      await engine.step({
        batch: 1,
        ids: tokens.slice(c0, c1),
        positions,
        cache: kv,
        headMasks: masks,
        visit: makeVisitor({ plans: [plan], positions }),
        zLayers: plan.zLayers,
        logits: "none",
      });
    }
    const store = new PrefixCache(Number.POSITIVE_INFINITY);
    store.store(engine, kv, 0, SIGNATURE, tokens);
    return new SharedPrefix(engine, plan, store, store.match(SIGNATURE, tokens, n), tokens);
  }

  /**
   * Logits `[k, V]` of the last `k` positions of `prefix + tail`, for each tail, in one
   * batch (tails of different lengths are left-padded; padding is masked).
   */
  async tails(tails: readonly (readonly number[])[], k: number): Promise<Float32Array[]> {
    const b = tails.length;
    if (b === 0) return [];
    const cfg = this.engine.config;
    if (tails.some((t) => t.length < k) || !Number.isInteger(k) || k < 1)
      throw new RangeError(`SharedPrefix.tails: every tail needs at least k = ${k} tokens`);
    const n0 = this.tokens.length;
    const width = Math.max(...tails.map((t) => t.length));
    const kv: KvCache = this.engine.emptyCache(b, n0 + width);
    if (this.store && this.match)
      for (let i = 0; i < b; i++) this.store.load(this.engine, kv, i, this.match);
    kv.length = n0;
    const pad = cfg.padTokenId ?? cfg.eosTokenIds[0] ?? 0;
    const ids: number[] = [];
    const positions = new Int32Array(b * width);
    tails.forEach((t, i) => {
      const padN = width - t.length;
      for (let c = 0; c < width; c++) {
        ids.push(c < padN ? pad : t[c - padN]);
        positions[i * width + c] = c < padN ? -1 : n0 + c - padN;
      }
    });
    const plans = tails.map(() => this.plan);
    const res = await this.engine.step({
      batch: b,
      ids,
      positions,
      cache: kv,
      headMasks: headMasks(plans, cfg.nHeads),
      visit: makeVisitor({ plans, positions }),
      zLayers: this.plan.zLayers,
      logits: k,
    });
    const kv0 = k * cfg.vocabSize;
    return tails.map((_, i) => res.logits.slice(i * kv0, (i + 1) * kv0));
  }
}
