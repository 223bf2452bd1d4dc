/**
 * `LensTarget`: the `TargetSystem` over a real checkpoint through the lens
 * runtime (src/lens) and the model's direction artifact (a `ProbeKit`). Each
 * request is rendered with the model's chat template (prompt.ts), its
 * game-level interventions are resolved into vectors at resid_post
 * (interventions.ts), and a tick's requests go through `LensModel.generate` as
 * one left-padded batch with per-request interventions and seeds, so a
 * request's output does not depend on its neighbours in the batch (except
 * near the context limit, where every prompt leaves room for the batch's
 * longest generation and may keep fewer old turns).
 *
 * Every generation and probe shares one `PrefixCache` (lens/runtime/prefix-cache.ts):
 * the episode's system prompt is prefilled once, a session's next request reruns
 * only its new turn (its history is the previous request plus the reply generated
 * for it), and a counterfactual or probe reuses the KV of the same clean request.
 *
 * A probe is a prefill of the request (its own interventions applied) with a
 * last-token capture at `blocks.{layer}.hook_resid_post`, summarised by
 * `summarizeActivation` (GAME.md §4) against the kit. The adversarial suffix is
 * a real random search against this model (suffix.ts), cached per (task, payload,
 * search options): the task is identified by the system prompt, which holds it.
 *
 * It does not know the game (no strategies, no leaks) and ignores
 * `request.guarded`: a language model finds the secret by reading its prompt.
 */

import { summarizeActivation } from "../../directions/summary.js";
import type { ProbeKit } from "../../directions/types.js";
import { residPost } from "../../lens/hooks.js";
import type { InterventionInput } from "../../lens/interventions.js";
import type { LensModel } from "../../lens/model.js";
import { PREFIX_CACHE_BYTES, PrefixCache } from "../../lens/runtime/prefix-cache.js";
import { checkSampling, type SamplingOptions } from "../../lens/runtime/sample.js";
import type { LensTokenizer } from "../../lens/tokenizer.js";
import { SeigeError } from "../../util/errors.js";
import type { ProbeSummary } from "../../vocab.js";
import type {
  ChatMessage,
  SuffixSearchOptions,
  TargetInfo,
  TargetOutput,
  TargetRequest,
  TargetSystem,
} from "../types.js";
import { gcgSuffix } from "./gcg-suffix.js";
import { resolveInterventions } from "./interventions.js";
import { chatTokens, requestTokens } from "./prompt.js";
import { searchSuffix, suffixVocabulary } from "./suffix.js";

export interface LensTargetOptions {
  /** shown in `info.modelId` (default: the config's model type) */
  modelId?: string;
  /** new tokens per request when the request does not say (default 48) */
  maxNewTokens?: number;
  /** sampling for generation (default temperature 0.7, top-p 0.9; temperature 0 = greedy) */
  sampling?: SamplingOptions;
  /** requests per forward batch; a larger tick is split (default 16) */
  maxBatch?: number;
  /** tokens in an adversarial suffix (default 8) */
  suffixLength?: number;
  /** suffix searches kept in the cache (default 256, oldest evicted first) */
  suffixCacheSize?: number;
  /** soft_prompt_gcg's search: gradient-free "random" (default) or gradient-based "gcg" (gcg-suffix.ts) */
  suffixSearch?: "random" | "gcg";
  /** bytes of prefix KV kept for reuse (default 128 MiB; 0 turns the prefix cache off) */
  prefixCacheBytes?: number;
}

export class LensTarget implements TargetSystem {
  readonly info: TargetInfo;
  private readonly tok: LensTokenizer;
  private readonly maxNewTokens: number;
  private readonly sampling: SamplingOptions;
  private readonly maxBatch: number;
  private readonly suffixLength: number;
  private readonly suffixCacheSize: number;
  private readonly suffixSearch: "random" | "gcg";
  private readonly suffixCache = new Map<string, Promise<string>>();
  private vocabulary: number[] | null = null;
  /** the KV of prompts already run, shared by generations and probes (null: off) */
  readonly prefixCache: PrefixCache | null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly model: LensModel,
    readonly kit: ProbeKit,
    options: LensTargetOptions = {},
  ) {
    const c = model.config;
    if (!model.tokenizer)
      throw new SeigeError(
        "config_error",
        "the lens target needs the checkpoint's tokenizer.json; load the model with its tokenizer",
      );
    if (kit.library.dModel !== c.dModel || kit.library.nLayers !== c.nLayers) {
      throw new SeigeError(
        "config_error",
        `the direction artifact is for a model with ${kit.library.nLayers} layers × ${kit.library.dModel} dims, this model has ${c.nLayers} × ${c.dModel}; run \`seige precompute --model DIR\` for this model`,
      );
    }
    this.tok = model.tokenizer;
    this.maxNewTokens = options.maxNewTokens ?? 48;
    this.sampling = options.sampling ?? { temperature: 0.7, topP: 0.9 };
    checkSampling(this.sampling);
    this.maxBatch = options.maxBatch ?? 16;
    this.suffixLength = options.suffixLength ?? 8;
    this.suffixCacheSize = options.suffixCacheSize ?? 256;
    this.suffixSearch = options.suffixSearch ?? "random";
    const bytes = options.prefixCacheBytes ?? PREFIX_CACHE_BYTES;
    this.prefixCache = bytes > 0 ? new PrefixCache(bytes) : null;
    this.info = {
      backend: "lens",
      modelId: options.modelId ?? c.modelType,
      nLayers: c.nLayers,
      nHeads: c.nHeads,
      dModel: c.dModel,
      whiteBox: true,
      directionLabels: [...kit.library.labels],
    };
  }

  /**
   * Runs model work one call at a time. A server shares one target between
   * episodes; concurrent forwards would only fight over the same cores (or GPU)
   * and stack their activation memory, and outputs do not depend on order.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private resolve(request: TargetRequest) {
    return resolveInterventions(request.interventions, this.model.config, this.kit);
  }

  private promptTokens(request: TargetRequest, newTokens: number): number[] {
    return requestTokens(this.tok, request.messages, this.model.config.maxPositions - newTokens);
  }

  checkPrompt(messages: ChatMessage[]): string | null {
    const room = this.model.config.maxPositions - this.maxNewTokens;
    const n = chatTokens(this.tok, messages).length;
    if (n <= room) return null;
    const turn = messages.at(-1)?.content ?? "";
    // The new turn's own count, not the system prompt's: that one is hidden.
    return `the new turn takes ${this.tok.encode(turn, { addSpecialTokens: false }).length} tokens of this model's tokenizer, and with the system prompt it exceeds the ${room} tokens its context leaves for a prompt; shorten the payload`;
  }

  private newTokensOf(r: TargetRequest): number {
    const n = r.maxNewTokens ?? this.maxNewTokens;
    if (!Number.isInteger(n) || n < 1)
      throw new SeigeError("validation_error", `maxNewTokens must be a positive integer, got ${n}`);
    return n;
  }

  async generate(requests: TargetRequest[]): Promise<TargetOutput[]> {
    // Resolve and render everything first: a bad request fails the tick before any compute.
    const news = requests.map((r) => this.newTokensOf(r));
    // Prompts leave room for the batch's longest generation: the batch runs that
    // many steps, so a prompt sized for its own shorter budget could overflow.
    const room = Math.max(0, ...news);
    const prepared = requests.map((r, k) => ({
      r,
      n: news[k],
      ids: this.promptTokens(r, room),
      ivs: this.resolve(r),
    }));
    return this.exclusive(() => this.generatePrepared(prepared));
  }

  private async generatePrepared(
    prepared: { r: TargetRequest; n: number; ids: number[]; ivs: InterventionInput[] }[],
  ): Promise<TargetOutput[]> {
    const out: TargetOutput[] = [];
    for (let i = 0; i < prepared.length; i += this.maxBatch) {
      const chunk = prepared.slice(i, i + this.maxBatch);
      // One length for the batch; each sequence's tokens are independent of the
      // others', so cutting a shorter request's output afterwards equals running it alone.
      const results = await this.model.generate(
        chunk.map((p) => p.ids),
        {
          ...this.sampling,
          interventions: chunk.map((p) => p.ivs),
          seed: chunk.map((p) => p.r.seed),
          maxNewTokens: Math.max(...chunk.map((p) => p.n)),
          prefixCache: this.prefixCache ?? undefined,
        },
      );
      chunk.forEach((p, k) => {
        const res = results[k];
        const tokens = res.tokens.length > p.n ? res.tokens.slice(0, p.n) : res.tokens;
        const text =
          tokens === res.tokens ? res.text : this.tok.decode(tokens, { skipSpecialTokens: true });
        out.push({ id: p.r.id, text, tokens: tokens.length });
      });
    }
    return out;
  }

  /** The raw last-token residual at resid_post(layer) of the request's prefill (interventions applied). */
  async activation(request: TargetRequest, layer: number): Promise<Float32Array> {
    const c = this.model.config;
    if (!Number.isInteger(layer) || layer < 0 || layer >= c.nLayers)
      throw new SeigeError(
        "validation_error",
        `probe: layer ${layer} is outside [0, ${c.nLayers})`,
      );
    const ivs = [
      ...this.resolve(request),
      { kind: "capture" as const, hook: residPost(layer), reduce: "last" as const },
    ];
    // generate with one new token runs only the prefill (logits of the last
    // position), cheaper than runWithHooks's logits over every position.
    const ids = this.promptTokens(request, 1);
    const [res] = await this.exclusive(() =>
      this.model.generate([ids], {
        interventions: [ivs],
        maxNewTokens: 1,
        prefixCache: this.prefixCache ?? undefined,
      }),
    );
    return res.captures[0].value;
  }

  async probe(request: TargetRequest, layer: number): Promise<ProbeSummary> {
    return summarizeActivation(await this.activation(request, layer), layer, this.kit);
  }

  async adversarialSuffix(request: TargetRequest, options: SuffixSearchOptions): Promise<string> {
    const interventions = this.resolve(request);
    const msgs = request.messages;
    const system = msgs[0]?.role === "system" ? msgs[0].content : "";
    const payload = msgs[msgs.length - 1]?.content ?? "";
    const key = JSON.stringify([
      system,
      payload,
      options.budget,
      options.seed,
      options.targetPrefix,
      request.interventions,
    ]);
    const hit = this.suffixCache.get(key);
    if (hit) return hit;
    this.vocabulary ??= suffixVocabulary(this.tok, this.model.config.vocabSize);
    const vocabulary = this.vocabulary;
    const spec = {
      model: this.model,
      tokenizer: this.tok,
      vocabulary,
      interventions,
      suffixLength: this.suffixLength,
      maxPromptTokens: this.model.config.maxPositions,
    };
    const search = this.exclusive(async () => {
      const viaGcg = this.suffixSearch === "gcg" ? await gcgSuffix(spec, request, options) : null;
      return viaGcg ?? (await searchSuffix(spec, request, options));
    }).then((r) => r.suffix);
    this.suffixCache.set(key, search);
    // A failed search is not cached: the next call tries again.
    search.catch(() => this.suffixCache.delete(key));
    if (this.suffixCache.size > this.suffixCacheSize) {
      const oldest = this.suffixCache.keys().next().value;
      if (oldest !== undefined) this.suffixCache.delete(oldest);
    }
    return search;
  }

  countTokens(text: string): number {
    return this.tok.encode(text, { addSpecialTokens: false }).length;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
