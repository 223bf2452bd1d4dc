/**
 * `loadModel(dir)` → `LensModel`: a HuggingFace checkpoint compiled into ONNX
 * sessions (runtime/engine.ts), with TransformerLens-style access to the
 * residual stream: `runWithCache` (read hooks), `runWithHooks` (declarative
 * interventions plus arbitrary TS hook functions), batched `generate` with a KV
 * cache, and chat-template rendering through the checkpoint's tokenizer.
 *
 * Deliberately thin: loading and validation are checkpoint.ts's, tokenization is
 * tokenizer.ts's, the maths of interventions is intervene.ts's, the graphs are
 * graph/'s. Compute is f32 (bf16/f16 weights are upcast on load).
 */
import { SeigeError } from "../util/errors.js";
import { loadCheckpoint } from "./checkpoint.js";
import { GradEngine } from "./grad/backward.js";
import { computeGradient, type GradOptions, type GradResult } from "./grad/gradient.js";
import type { LossInput } from "./grad/loss.js";
import { allHookNames, type HookName, hookShape, parseHookName } from "./hooks.js";
import type { CaptureResult } from "./intervene.js";
import type { Intervention, InterventionInput } from "./interventions.js";
import type { ExecutionProvider } from "./ort.js";
import type { QuantName } from "./quant.js";
import { Engine } from "./runtime/engine.js";
import { type GenerateOptions, type GenerateResult, generateBatch } from "./runtime/generate.js";
import { compilePlan } from "./runtime/plan.js";
import { SharedPrefix } from "./runtime/shared-prefix.js";
import { type HookFn, headMasks, makeVisitor } from "./runtime/visitor.js";
import {
  type ChatMessage,
  type ChatTemplateOptions,
  type LensTokenizer,
  loadTokenizer,
} from "./tokenizer.js";
import type { ModelConfig, Tensor, TensorStore } from "./types.js";

export interface LoadModelOptions {
  /** compute dtype; only "f32" is supported (weights stored as bf16/f16 are upcast) */
  dtype?: "f32";
  /** ORT intra-op threads per session (default: ORT's choice) */
  threads?: number;
  /** default ["cpu"]; see docs/lens.md for "cuda" and "webgpu" */
  executionProviders?: ExecutionProvider[];
  /** graphs with more weight bytes than this use in-memory external data (default 1.5e9) */
  externalAbove?: number;
  /**
   * Block-quantise the linear weights at load: "int8" or "int4" (ORT MatMulNBits, block
   * 32, accuracy level 4). Embeddings, norms and the PLE table stay f32. See docs/lens.md
   * for the measured accuracy cost.
   */
  quant?: QuantName;
  /** refuse to load (config_error) when the weights handed to ORT exceed this many bytes */
  memoryBudget?: number;
}

export interface ForwardResult {
  /** [pos, vocab] */
  logits: Tensor;
}

export interface CacheResult extends ForwardResult {
  /** hook name → activation: [pos, d_model], or [pos, n_heads, d_head] for attn.hook_z */
  cache: Map<HookName, Tensor>;
}

export interface HooksResult extends ForwardResult {
  /** one entry per `capture`, in list order (`all` gives [pos, width] row-major) */
  captures: CaptureResult[];
}

export class LensModel {
  readonly hookNames: HookName[];
  private gradEngine: Promise<GradEngine> | null = null;

  constructor(
    readonly config: ModelConfig,
    readonly tokenizer: LensTokenizer | null,
    private readonly engine: Engine,
    /** kept so the backward graphs can be built on the first `grad` call (docs/lens-grad.md) */
    private readonly source?: { tensors: TensorStore; opts: LoadModelOptions },
  ) {
    this.hookNames = allHookNames(hookShape(config));
  }

  /** Bytes of weights read per decoded token (block weights and the head). */
  get decodeWeightBytes(): number {
    return this.engine.decodeWeightBytes;
  }

  /** Bytes of weights held by ORT (after quantisation; embeddings and the PLE table stay on disk). */
  get residentWeightBytes(): number {
    return this.engine.residentWeightBytes;
  }

  private requireTokenizer(): LensTokenizer {
    if (!this.tokenizer)
      throw new SeigeError(
        "config_error",
        "this model was loaded without tokenizer.json; pass token ids instead of text",
      );
    return this.tokenizer;
  }

  /** Renders messages with the checkpoint's chat template; returns the text and its token ids (no double BOS). */
  chat(
    messages: readonly ChatMessage[],
    opts: ChatTemplateOptions = {},
  ): { text: string; tokens: number[] } {
    const tok = this.requireTokenizer();
    return { text: tok.applyChatTemplate(messages, opts), tokens: tok.encodeChat(messages, opts) };
  }

  private checkTokens(tokens: readonly number[]): void {
    if (tokens.length === 0) throw new SeigeError("validation_error", "need at least one token");
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.config.vocabSize) {
        throw new SeigeError(
          "validation_error",
          `token id ${t} is outside the vocabulary [0, ${this.config.vocabSize})`,
        );
      }
    }
    if (tokens.length > this.config.maxPositions) {
      throw new SeigeError(
        "validation_error",
        `${tokens.length} tokens exceed the model's ${this.config.maxPositions} positions`,
      );
    }
  }

  private positions(n: number): Int32Array {
    return Int32Array.from({ length: n }, (_, i) => i);
  }

  /** One forward pass over exactly these ids (no BOS added); records the named hooks (default: all). */
  async runWithCache(
    tokens: readonly number[],
    names: readonly string[] = this.hookNames,
  ): Promise<CacheResult> {
    this.checkTokens(tokens);
    const wanted = new Set<string>();
    const zLayers = new Set<number>();
    for (const n of names) {
      const site = parseHookName(n, hookShape(this.config));
      if (!site)
        throw new SeigeError(
          "validation_error",
          `unknown hook '${n}'; model.hookNames lists this model's hooks`,
        );
      if (site.kind === "attn_z") zLayers.add(site.layer);
      wanted.add(n);
    }
    const cache = new Map<HookName, Tensor>();
    const positions = this.positions(tokens.length);
    const plans = [compilePlan([], this.config)];
    const res = await this.engine.step({
      batch: 1,
      ids: tokens,
      positions,
      cache: this.engine.emptyCache(1),
      visit: makeVisitor({ plans, positions, cacheInto: { names: wanted, out: cache } }),
      zLayers,
      logits: "all",
    });
    // Return hooks in forward order, whatever order they were asked in.
    const ordered = new Map<HookName, Tensor>();
    for (const n of this.hookNames) {
      const t = cache.get(n);
      if (t) ordered.set(n, t);
    }
    return {
      logits: { shape: [tokens.length, this.config.vocabSize], data: res.logits },
      cache: ordered,
    };
  }

  /**
   * One forward pass with interventions (JSON form) and optional TS hook
   * functions keyed by hook name; each sees `[1, pos, width]` after that
   * hook's interventions and may edit it in place or return a replacement.
   */
  async runWithHooks(
    tokens: readonly number[],
    interventions: readonly (Intervention | InterventionInput)[],
    opts: { hookFns?: Partial<Record<HookName, HookFn>> } = {},
  ): Promise<HooksResult> {
    this.checkTokens(tokens);
    const plan = compilePlan(interventions, this.config);
    for (const n of Object.keys(opts.hookFns ?? {})) {
      if (!parseHookName(n, hookShape(this.config)))
        throw new SeigeError("validation_error", `hookFns: unknown hook '${n}'`);
    }
    const zLayers = new Set(plan.zLayers);
    for (const n of Object.keys(opts.hookFns ?? {})) {
      const site = parseHookName(n, hookShape(this.config));
      if (site?.kind === "attn_z") zLayers.add(site.layer);
    }
    const positions = this.positions(tokens.length);
    const captures: CaptureResult[][] = [[]];
    const res = await this.engine.step({
      batch: 1,
      ids: tokens,
      positions,
      cache: this.engine.emptyCache(1),
      headMasks: headMasks([plan], this.config.nHeads),
      visit: makeVisitor({ plans: [plan], positions, captures, hookFns: opts.hookFns }),
      zLayers,
      logits: "all",
    });
    const ordered = captures[0].sort((a, b) => a.index - b.index);
    return {
      logits: { shape: [tokens.length, this.config.vocabSize], data: res.logits },
      captures: ordered,
    };
  }

  /**
   * Logits [T, V] for several sequences of one length in one batched forward
   * pass (no padding needed), with the same interventions on each: GCG's
   * candidate evaluation. Callers bound the batch: it returns B·T·V floats.
   */
  async logitsBatch(
    seqs: readonly (readonly number[])[],
    interventions: readonly (Intervention | InterventionInput)[] = [],
  ): Promise<Float32Array[]> {
    if (seqs.length === 0) return [];
    const t = seqs[0].length;
    for (const s of seqs) {
      this.checkTokens(s);
      if (s.length !== t)
        throw new SeigeError(
          "validation_error",
          "logitsBatch: every sequence needs the same length",
        );
    }
    const plan = compilePlan(interventions, this.config);
    const b = seqs.length;
    const positions = new Int32Array(b * t).map((_, i) => i % t);
    const plans = Array.from({ length: b }, () => plan);
    const res = await this.engine.step({
      batch: b,
      ids: seqs.flat(),
      positions,
      cache: this.engine.emptyCache(b),
      headMasks: headMasks(plans, this.config.nHeads),
      visit: makeVisitor({ plans, positions }),
      zLayers: new Set(plan.zLayers),
      logits: "all",
    });
    const tv = t * this.config.vocabSize;
    return Array.from({ length: b }, (_, i) => res.logits.slice(i * tv, (i + 1) * tv));
  }

  /**
   * Runs `tokens` once (with `interventions`, no captures) and returns a handle that
   * scores continuations of them: `tails(seqs, k)` gives the logits of the last `k`
   * positions of `tokens + seq` for each seq, running only the seqs (runtime/shared-prefix.ts).
   * Suffix searches score their candidates this way.
   */
  async sharedPrefix(
    tokens: readonly number[],
    interventions: readonly (Intervention | InterventionInput)[] = [],
  ): Promise<{ tails(seqs: readonly (readonly number[])[], k: number): Promise<Float32Array[]> }> {
    if (tokens.length > 0) this.checkTokens(tokens);
    const prefix = await SharedPrefix.create(
      this.engine,
      tokens,
      compilePlan(interventions, this.config),
    );
    return {
      tails: async (seqs, k) => {
        for (const s of seqs) this.checkTokens([...tokens, ...s]);
        return prefix.tails(seqs, k);
      },
    };
  }

  /**
   * Batched generation (left padding, per-sequence positions and RNG streams): a
   * prompt gives the same tokens in a batch as alone. Text prompts are encoded
   * with the tokenizer's special tokens (BOS where the model adds one).
   */
  async generate(
    prompts: (string | readonly number[])[],
    opts: GenerateOptions = {},
  ): Promise<GenerateResult[]> {
    const ids = prompts.map((p) =>
      typeof p === "string"
        ? this.requireTokenizer().encode(p, { addSpecialTokens: true })
        : [...p],
    );
    for (const p of ids) this.checkTokens(p);
    const decode = (t: number[]) =>
      this.tokenizer ? this.tokenizer.decode(t, { skipSpecialTokens: true }) : t.join(" ");
    // generation_config.json's EOS ids (e.g. an instruct model's end-of-turn) stop too.
    const stop = [...(opts.stop ?? []), ...(this.tokenizer?.eosTokenIds ?? [])];
    return generateBatch(this.engine, ids, decode, { ...opts, stop });
  }

  /**
   * Gradient of a scalar loss (cross-entropy on a continuation, a logit
   * difference, a linear probe's score) at the hooks in `wrt`, by one forward and
   * one backward pass through per-half-block backward graphs (docs/lens-grad.md).
   */
  async grad(
    tokens: readonly number[],
    loss: LossInput,
    opts: GradOptions = {},
  ): Promise<GradResult> {
    if (!this.source)
      throw new SeigeError(
        "config_error",
        "this model was built without its tensors; gradients need them",
      );
    // Gemma 4's per-layer embeddings and KV sharing have no backward rules yet
    // (docs/lens-grad.md): refused, never silently differentiated without them.
    if (this.config.gemma4)
      throw new SeigeError(
        "config_error",
        "gradients are not available for Gemma 4 yet (per-layer embeddings and KV sharing have no backward rules); use another architecture",
      );
    const { tensors, opts: o } = this.source;
    this.checkTokens(tokens);
    this.gradEngine ??= GradEngine.create(this.config, tensors, o);
    return computeGradient(this, await this.gradEngine, tokens, loss, opts);
  }

  /** Releases every ORT session. */
  async close(): Promise<void> {
    await this.engine.close();
    if (this.gradEngine) await (await this.gradEngine).close();
  }
}

/** Loads a HuggingFace checkpoint directory and compiles it into ORT sessions. */
export async function loadModel(dir: string, opts: LoadModelOptions = {}): Promise<LensModel> {
  if (opts.dtype !== undefined && opts.dtype !== "f32") {
    throw new SeigeError(
      "config_error",
      `dtype '${opts.dtype}' is not supported; the runtime computes in f32 (bf16/f16 weights are upcast)`,
    );
  }
  // cache: false — each weight is decoded once into its graph and not kept twice.
  const ck = loadCheckpoint(dir, { cache: false });
  const tokenizer = loadTokenizer(dir);
  return fromTensors(ck.config, ck.tensors, opts, tokenizer);
}

/** Builds a model from an in-memory config and tensor store (tests, benchmarks). */
export async function fromTensors(
  config: ModelConfig,
  tensors: TensorStore,
  opts: LoadModelOptions = {},
  tokenizer: LensTokenizer | null = null,
): Promise<LensModel> {
  const engine = await Engine.create(config, tensors, opts);
  return new LensModel(config, tokenizer, engine, { tensors, opts });
}
