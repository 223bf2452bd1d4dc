/**
 * The forward engine: one ORT session for the embedding, one per decoder block
 * and one for the unembedding, with the residual stream handed back to TypeScript
 * between them. The first time a step reads or edits a block's `hook_attn_out`,
 * `hook_resid_mid`, `hook_mlp_out` or `attn.hook_z`, that block is rebuilt as two
 * sessions (attention half, MLP half) which replace it from then on: the same bits,
 * one copy of the weights, an ORT run more per step. A step reads like nanoGPT's
 * `Block.forward`, residual adds visible:
 *
 *   x = embed(ids) (+ pos_embed)        // hook_embed; then blocks.0.hook_resid_pre
 *   for each block l:
 *     attn_out, present = attn_l(x, past, mask, cos/sin, head_mask)
 *     mid  = x + attn_out               // hook_resid_mid
 *     x    = mid + mlp_l(mid)           // hook_resid_post = next block's resid_pre
 *   logits = unembed(x[rows])
 *
 * Gemma 4 adds, per block, `x = (mid + mlp + ple_l(mid + mlp)) · layer_scalar`
 * (hook_ple_out; runtime/ple.ts), per-layer head dims, and KV-shared layers that
 * read their source layer's present K/V of this step and cache nothing.
 *
 * At every hook the optional `visit` callback sees the batch tensor `[B, T, D]`
 * and may edit it in place (interventions, user hook functions, captures).
 * Batching is by left padding: each sequence's absolute positions come in with
 * the step (−1 for padding) and drive RoPE, GPT-2 position ids and the mask.
 * This file knows nothing about interventions or sampling.
 */

import { SeigeError } from "../../util/errors.js";
import { headDimOf, kvSourceOf } from "../config.js";
import {
  ATTN_INPUTS,
  ATTN_OUTPUTS,
  attnWeights,
  BLOCK_OUTPUT,
  buildAttention,
  buildBlock,
  buildMlp,
  buildUnembed,
  MLP_INPUT,
  MLP_OUTPUT,
  mlpWeights,
  UNEMBED_IO,
  unembedWeights,
} from "../graph/index.js";
import {
  attnOut,
  attnZ,
  type HookName,
  hookEmbed,
  mlpOut,
  pleOut,
  residMid,
  residPost,
  residPre,
} from "../hooks.js";
import type { GraphBuilder } from "../onnx/index.js";
import { createSession, type LensSession, type OrtFeed, type SessionOptions } from "../ort.js";
import { QUANT_BITS, type QuantName } from "../quant.js";
import type { ModelConfig, TensorStore } from "../types.js";
import { Embedder } from "./embed.js";
import { attentionMask } from "./mask.js";
import { PleRuntime } from "./ple.js";
import { inverseFrequencies, ropeTables } from "./rope.js";

export interface EngineOptions extends SessionOptions {
  /** graphs whose weights exceed this many bytes use in-memory external data (default 1.5e9) */
  externalAbove?: number;
  /** block-quantise linear weights at load (MatMulNBits; f32 when absent) */
  quant?: QuantName;
  /** refuse to load when the weights handed to ORT would exceed this many bytes */
  memoryBudget?: number;
}

/**
 * Per-layer KV cache for a batch, held in TypeScript and written in place: keys
 * `[B, Hkv, hd, capacity]` (transposed, as attention reads them) and values
 * `[B, Hkv, capacity, hd]`, of which the first `length` columns are written, and each
 * column's absolute position (−1 for padding and for columns not written yet). A step
 * feeds the whole buffer to ORT (unused columns are masked) and writes only its own new
 * columns back, so no step allocates or copies the cache, and the capacity grows in
 * steps of `CACHE_COLUMNS_STEP` so ORT sees few distinct shapes (its CPU arena keeps a
 * buffer per size it has seen). Gemma 4's KV-shared layers hold empty arrays (they read
 * their source layer's).
 */
export interface KvCache {
  batch: number;
  capacity: number;
  length: number;
  keys: Float32Array[];
  values: Float32Array[];
  positions: Int32Array; // [B*capacity], −1 for padding and unused columns
}

/** A cache's capacity is a multiple of this many columns. */
export const CACHE_COLUMNS_STEP = 64;

/**
 * Prefill columns per step for `rows` rows over a buffer of `capacity` columns: chunks
 * sized so one layer's attention scores (B·H·T·S floats) stay near 4M floats. ORT's CPU
 * arena keeps every buffer size it has served, so the largest step's scores, not the
 * average, set the process's memory.
 */
export function prefillChunk(rows: number, nHeads: number, capacity: number): number {
  return Math.max(16, Math.floor(2 ** 22 / (rows * nHeads * capacity) / 16) * 16);
}

/** Steps of at least this many tokens read a compact copy of the written columns. */
const COMPACT_MIN_TOKENS = 8;

/**
 * May edit `x` in place, or return a same-sized replacement. `hooks`, when present,
 * names every hook it reads or edits: blocks whose inner hooks it leaves alone then
 * run whole (one session). Without it every hook of every block is visited.
 */
export type HookVisitor = ((
  name: HookName,
  x: Float32Array,
  dims: number[],
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook edits in place (returns nothing) or returns a replacement
) => void | Float32Array) & { readonly hooks?: ReadonlySet<string> };

export interface StepInput {
  batch: number;
  ids: ArrayLike<number>; // [B*T]
  positions: Int32Array; // [B*T], −1 for padding
  cache: KvCache;
  /** layer → [B*H] multipliers for z (1 keeps a head, 0 ablates it) */
  headMasks?: Map<number, Float32Array>;
  visit?: HookVisitor;
  /** layers whose `attn.hook_z` is fetched and shown to `visit` (read-only) */
  zLayers?: ReadonlySet<number>;
  /**
   * logits for every position, only the last column (generation), the last n columns of
   * each row (scoring a continuation), or none (KV only)
   */
  logits: "all" | "last" | "none" | number;
  /**
   * Start at block `layer` (≥ 1) from a given residual stream instead of the embedding:
   * `x` is `[B, T, D]`, block `layer − 1`'s output before its resid_post hook, which the
   * step then visits before running blocks `layer` and up. Only the blocks run write KV
   * columns. Not for models with per-layer embeddings or KV-shared layers (`startsMidway`).
   */
  from?: { layer: number; x: Float32Array };
}

export interface StepOutput {
  /** [B, T, V], [B, 1, V] or [B, n, V] */
  logits: Float32Array;
  cache: KvCache;
}

interface Layer {
  /** the whole block (graph/block.ts), until its halves replace it */
  block: LensSession | null;
  /** bytes of weights the whole block holds */
  blockBytes: number;
  /** the two halves, built the first time a step visits the block's inner hooks */
  halves: Promise<Halves> | null;
  sliding: boolean;
  headDim: number;
  /** the layer whose present K/V this one attends over (itself unless KV-shared) */
  kvSource: number;
  /** Gemma 4's layer_scalar (1 elsewhere) */
  scalar: number;
}

interface Halves {
  attn: LensSession;
  mlp: LensSession;
}

/** Builds a graph into a session, counting its weights against the memory budget. */
type SessionLoader = (g: GraphBuilder, counts?: boolean) => Promise<LensSession>;

/** A session and the bytes of weights it holds. */
type Loaded = { session: LensSession; bytes: number };

export class Engine {
  private constructor(
    readonly config: ModelConfig,
    private readonly embed: Embedder,
    private readonly layers: Layer[],
    private readonly unembed: LensSession,
    /** bytes of weights read per decoded token (blocks + head): the roofline numerator */
    readonly decodeWeightBytes: number,
    private readonly invFreq: Float64Array | null,
    private readonly invFreqLocal: Float64Array | null,
    private readonly ple: PleRuntime | null,
    private readonly memory: { resident: number },
    private readonly buildHalves: (layer: number) => Promise<{ halves: Halves; bytes: number }>,
  ) {}

  /** Steps running now, and whole blocks replaced by their halves, released when none is. */
  private inFlight = 0;
  private retired: LensSession[] = [];
  /**
   * Buffers for a step's large temporary inputs (masks, compact copies of the cache),
   * reused by steps that run alone: fresh ones for every multi-token step were most of
   * the garbage, and V8 ran a full collection every ~70 ms to free them. They grow to the
   * largest step, which the prefill chunking keeps near 4M floats of scores.
   */
  private scratch = new Map<string, Float32Array>();

  /** Bytes of weights handed to ORT (what stays resident), after quantisation. */
  get residentWeightBytes(): number {
    return this.memory.resident;
  }

  /** Blocks that run as two halves (a step has touched a hook inside them), ascending. */
  get splitBlocks(): number[] {
    return this.layers.flatMap((l, i) => (l.halves ? [i] : []));
  }

  static async create(
    config: ModelConfig,
    tensors: TensorStore,
    opts: EngineOptions = {},
  ): Promise<Engine> {
    let weightBytes = 0;
    const memory = { resident: 0 };
    const sessions: LensSession[] = [];
    // Build and load one graph at a time so only one graph's bytes are alive at once.
    const compile = (g: GraphBuilder) => {
      if (opts.quant) g.quantizeMatMuls(QUANT_BITS[opts.quant]);
      return g.build(opts.externalAbove);
    };
    const build = async (g: GraphBuilder): Promise<Loaded> => {
      const built = compile(g);
      return { session: await createSession(built, opts), bytes: built.weightBytes };
    };
    const load = async (g: GraphBuilder, counts = true): Promise<Loaded> => {
      const built = compile(g);
      if (counts) weightBytes += built.weightBytes;
      memory.resident += built.weightBytes;
      if (opts.memoryBudget !== undefined && memory.resident > opts.memoryBudget) {
        for (const s of sessions) await s.release();
        throw new SeigeError(
          "config_error",
          `the weights need more than the memory budget of ${opts.memoryBudget} bytes (${memory.resident} bytes after ${sessions.length + 1} graphs${opts.quant ? `, ${opts.quant}` : ", f32"}); try --quant int8 or int4`,
        );
      }
      const s = await createSession(built, opts);
      sessions.push(s);
      return { session: s, bytes: built.weightBytes };
    };
    const loadSession: SessionLoader = async (g, counts) => (await load(g, counts)).session;
    const embed = await Embedder.create(config, tensors, (g) => loadSession(g, false));
    const layers: Layer[] = [];
    for (let l = 0; l < config.nLayers; l++) {
      const block = await load(
        buildBlock(config, attnWeights(tensors, config, l), mlpWeights(tensors, config, l), l),
      );
      layers.push({
        block: block.session,
        blockBytes: block.bytes,
        halves: null,
        sliding: config.layerTypes[l] === "sliding",
        headDim: headDimOf(config, l),
        kvSource: kvSourceOf(config, l),
        scalar: config.gemma4 ? tensors.get(`layers.${l}.layer_scalar`).data[0] : 1,
      });
    }
    const ple = config.gemma4?.ple ? await PleRuntime.create(config, tensors, loadSession) : null;
    const unembed = await loadSession(buildUnembed(config, unembedWeights(tensors, config)));
    // Full layers may have a wider head (Gemma 4's global_head_dim); sliding ones use head_dim.
    const full = config.layerTypes.indexOf("full");
    const fullHd = full >= 0 ? headDimOf(config, full) : config.headDim;
    const inv = config.rope ? inverseFrequencies(config.rope, fullHd) : null;
    const invLocal = config.ropeLocal ? inverseFrequencies(config.ropeLocal, config.headDim) : inv;
    // The halves hold the block's weights, so they are not held against the memory budget
    // a second time: the block is released once they exist.
    const buildHalves = async (l: number) => {
      const attn = await build(buildAttention(config, attnWeights(tensors, config, l), l));
      const mlp = await build(buildMlp(config, mlpWeights(tensors, config, l), l));
      return { halves: { attn: attn.session, mlp: mlp.session }, bytes: attn.bytes + mlp.bytes };
    };
    return new Engine(
      config,
      embed,
      layers,
      unembed,
      weightBytes,
      inv,
      invLocal,
      ple,
      memory,
      buildHalves,
    );
  }

  /**
   * Layer `l`'s two halves, built on first use; they replace the whole block, which is
   * released as soon as no step is running (a step in flight may be about to run it).
   */
  private halvesOf(l: number): Promise<Halves> {
    const layer = this.layers[l];
    layer.halves ??= this.buildHalves(l).then(
      async ({ halves, bytes }) => {
        this.memory.resident += bytes - layer.blockBytes;
        if (layer.block) this.retired.push(layer.block);
        layer.block = null;
        // only the step asking runs now, and it has not reached this block
        if (this.inFlight <= 1) await this.releaseRetired();
        return halves;
      },
      (e) => {
        layer.halves = null;
        throw e;
      },
    );
    return layer.halves;
  }

  private async releaseRetired(): Promise<void> {
    const retired = this.retired;
    this.retired = [];
    for (const s of retired) await s.release();
  }

  /** An empty cache for `batch` sequences, with room for `columns` columns (grown on demand). */
  emptyCache(batch: number, columns = 0): KvCache {
    const n = this.config.nLayers;
    const cache: KvCache = {
      batch,
      capacity: 0,
      length: 0,
      keys: Array.from({ length: n }, () => new Float32Array(0)),
      values: Array.from({ length: n }, () => new Float32Array(0)),
      positions: new Int32Array(0),
    };
    this.reserve(cache, columns);
    return cache;
  }

  /** Floats per cached column of one sequence at `layer` (0 for KV-shared layers). */
  columnFloats(layer: number): number {
    const l = this.layers[layer];
    return l.kvSource === layer ? this.config.nKvHeads * l.headDim : 0;
  }

  /** Grows `cache` (in place, contents kept) so that it holds at least `columns` columns. */
  reserve(cache: KvCache, columns: number): void {
    if (columns <= cache.capacity) return;
    const cap = Math.ceil(columns / CACHE_COLUMNS_STEP) * CACHE_COLUMNS_STEP;
    const old = cache.capacity;
    const b = cache.batch;
    const kv = this.config.nKvHeads;
    // rows of `width` floats per column, `rows` of them: values [B·Hkv, cap, hd];
    // keys [B·Hkv·hd, cap] with one float per column
    const grow = (from: Float32Array, rows: number, width: number): Float32Array => {
      const to = new Float32Array(rows * cap * width);
      for (let r = 0; r < rows; r++)
        to.set(from.subarray(r * old * width, (r * old + cache.length) * width), r * cap * width);
      return to;
    };
    for (let l = 0; l < this.config.nLayers; l++) {
      if (this.layers[l].kvSource !== l) continue;
      const hd = this.layers[l].headDim;
      cache.keys[l] = grow(cache.keys[l], b * kv * hd, 1);
      cache.values[l] = grow(cache.values[l], b * kv, hd);
    }
    const pos = new Int32Array(b * cap).fill(-1);
    for (let i = 0; i < b; i++)
      pos.set(cache.positions.subarray(i * old, i * old + cache.length), i * cap);
    cache.positions = pos;
    cache.capacity = cap;
  }

  /** Whether `step` can start at a middle block (`StepInput.from`). */
  get startsMidway(): boolean {
    return this.ple === null && this.layers.every((l, i) => l.kvSource === i);
  }

  /**
   * Rows `first … first + count − 1` of `cache` as a cache of their own: views of its
   * buffers (same capacity), so what a step writes there is written in `cache`. Its
   * length starts at 0; the capacity cannot grow.
   */
  rowsOf(cache: KvCache, first: number, count: number): KvCache {
    const cap = cache.capacity;
    const kv = this.config.nKvHeads;
    const view = (a: Float32Array, l: number) => {
      const size = a.length === 0 ? 0 : kv * this.layers[l].headDim * cap;
      return a.subarray(first * size, (first + count) * size);
    };
    return {
      batch: count,
      capacity: cap,
      length: 0,
      keys: cache.keys.map(view),
      values: cache.values.map(view),
      positions: cache.positions.subarray(first * cap, (first + count) * cap),
    };
  }

  /**
   * Keeps only rows `rows` (ascending) of `cache`, in place: they move to the front of
   * its buffers, which become views of their first rows. Nothing is allocated, and the
   * memory of the dropped rows stays with the buffer until the cache is dropped.
   */
  keepRows(cache: KvCache, rows: readonly number[]): void {
    const cap = cache.capacity;
    const kv = this.config.nKvHeads;
    const move = (a: Float32Array, size: number): Float32Array => {
      rows.forEach((from, to) => {
        if (from !== to) a.copyWithin(to * size, from * size, (from + 1) * size);
      });
      return a.subarray(0, rows.length * size);
    };
    for (let l = 0; l < this.config.nLayers; l++) {
      if (this.layers[l].kvSource !== l) continue;
      const size = kv * this.layers[l].headDim * cap;
      cache.keys[l] = move(cache.keys[l], size);
      cache.values[l] = move(cache.values[l], size);
    }
    const pos = cache.positions;
    rows.forEach((from, to) => {
      if (from !== to) pos.copyWithin(to * cap, from * cap, (from + 1) * cap);
    });
    cache.positions = pos.subarray(0, rows.length * cap);
    cache.batch = rows.length;
  }

  async step(input: StepInput): Promise<StepOutput> {
    this.inFlight++;
    try {
      // A step that starts alone may use the scratch buffers: any step starting while it
      // runs sees another in flight and allocates its own.
      return await this.forward(input, this.inFlight === 1);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.retired.length > 0) await this.releaseRetired();
    }
  }

  /** `n` floats, from the scratch buffer `key` when `reuse`, else fresh; every float is overwritten by the caller. */
  private buffer(key: string, n: number, reuse: boolean): Float32Array {
    if (!reuse) return new Float32Array(n);
    let b = this.scratch.get(key);
    if (!b || b.length < n) {
      b = new Float32Array(n);
      this.scratch.set(key, b);
    }
    return b.subarray(0, n);
  }

  private async forward(input: StepInput, reuse: boolean): Promise<StepOutput> {
    const cfg = this.config;
    const { batch: b, cache } = input;
    const from = input.from;
    if (from && (!this.startsMidway || from.layer < 1 || from.layer >= cfg.nLayers))
      throw new RangeError(
        `engine.step: cannot start at block ${from.layer} of this ${cfg.nLayers}-block model`,
      );
    const t = input.positions.length / b;
    if (cache.batch !== b || !Number.isInteger(t) || input.ids.length !== b * t) {
      throw new RangeError(
        `engine.step: batch ${b}, ${input.ids.length} ids, ${input.positions.length} positions, cache for batch ${cache.batch}`,
      );
    }
    const rowsT =
      input.logits === "all"
        ? t
        : input.logits === "last" || input.logits === "none"
          ? 1
          : input.logits;
    if (!Number.isInteger(rowsT) || rowsT < 1 || rowsT > t)
      throw new RangeError(`engine.step: logits for the last ${rowsT} of ${t} columns`);
    const d = cfg.dModel;
    const past = cache.length;
    this.reserve(cache, past + t);
    const cap = cache.capacity;
    const dims = [b, t, d];
    const visit = (name: HookName, x: Float32Array): Float32Array => {
      if (!input.visit) return x;
      const r = input.visit(name, x, dims);
      return r ?? x;
    };

    // Owning layers attend over the whole buffer (unwritten columns are −1, so masked)
    // followed by this step's columns; KV-shared layers over their source's buffer
    // once this step's columns are written into it.
    // A step on an empty cache (a plain forward, a first prefill) reads no cached column.
    // A multi-token step (a prefill chunk) reads only the written columns, rounded up to
    // the buffer's step so ORT still sees few shapes: copying them out costs one pass over
    // what its attention reads t times. A decode step reads the buffer in place.
    const shares = this.layers.some((l, i) => l.kvSource !== i);
    const compact = !shares && past > 0 && t >= COMPACT_MIN_TOKENS;
    const seen =
      past === 0
        ? 0
        : compact
          ? Math.min(cap, Math.ceil(past / CACHE_COLUMNS_STEP) * CACHE_COLUMNS_STEP)
          : cap;
    const keyPos = new Int32Array(b * (seen + t));
    for (let i = 0; i < b; i++) {
      keyPos.set(cache.positions.subarray(i * cap, i * cap + seen), i * (seen + t));
      keyPos.set(input.positions.subarray(i * t, (i + 1) * t), i * (seen + t) + seen);
      cache.positions.set(input.positions.subarray(i * t, (i + 1) * t), i * cap + past);
    }
    const mask = (key: string, keys: Int32Array, window: number | null, self?: number) =>
      attentionMask(
        b,
        input.positions,
        keys,
        window,
        self,
        this.buffer(key, (input.positions.length * keys.length) / b, reuse),
      );
    const maskFull = mask("mask", keyPos, null);
    const maskSliding =
      cfg.slidingWindow !== null ? mask("maskSliding", keyPos, cfg.slidingWindow) : maskFull;
    const sharedFull = shares ? mask("maskShared", cache.positions, null, past) : maskFull;
    const sharedSliding =
      shares && cfg.slidingWindow !== null
        ? mask("maskSharedSliding", cache.positions, cfg.slidingWindow, past)
        : sharedFull;
    const rope = this.invFreq ? ropeTables(this.invFreq, input.positions) : null;
    const ropeLocal =
      this.invFreqLocal && this.invFreqLocal !== this.invFreq
        ? ropeTables(this.invFreqLocal, input.positions)
        : rope;

    let x: Float32Array;
    let ple: Awaited<ReturnType<PleRuntime["inputs"]>> | null = null;
    if (from) {
      // A copy: hooks may edit the stream in place, and the caller's is a cache's.
      x = visit(residPost(from.layer - 1), from.x.slice());
    } else {
      const e = await this.embed.run(input.ids, input.positions, b, t);
      x = visit(hookEmbed(), e.embed); // [B,T,D]
      // Gemma 4: every layer's PLE input, from the hooked embedding (as HF reads inputs_embeds).
      ple = this.ple ? await this.ple.inputs(input.ids, x, b, t) : null;
      if (e.pos) x = add(x, e.pos); // GPT-2: resid_pre(0) = hook_embed + pos_embed
    }

    const ones = new Float32Array(b * cfg.nHeads).fill(1);
    for (let l = from?.layer ?? 0; l < cfg.nLayers; l++) {
      const layer = this.layers[l];
      x = visit(residPre(l), x);
      const hd = layer.headDim;
      const owns = layer.kvSource === l;
      const mask = owns
        ? { data: layer.sliding ? maskSliding : maskFull, dims: [b, 1, 1, t, seen + t] }
        : { data: layer.sliding ? sharedSliding : sharedFull, dims: [b, 1, 1, t, cap] };
      const feeds: Record<string, OrtFeed> = {
        [ATTN_INPUTS.x]: { data: x, dims },
        [ATTN_INPUTS.mask]: mask,
        [ATTN_INPUTS.headMask]: {
          data: input.headMasks?.get(l) ?? ones,
          dims: [b, 1, cfg.nHeads, 1],
        },
      };
      const kDims = [b, cfg.nKvHeads, hd, cap];
      const vDims = [b, cfg.nKvHeads, cap, hd];
      if (owns && seen === 0) {
        const none = new Float32Array(0);
        feeds[ATTN_INPUTS.pastKey] = { data: none, dims: [b, cfg.nKvHeads, hd, 0] };
        feeds[ATTN_INPUTS.pastValue] = { data: none, dims: [b, cfg.nKvHeads, 0, hd] };
      } else if (owns && seen < cap) {
        const rows = b * cfg.nKvHeads;
        // one pair of buffers serves every layer: a layer's run has read it before the next
        const n = rows * hd * seen;
        feeds[ATTN_INPUTS.pastKey] = {
          data: leadingColumns(cache.keys[l], rows * hd, cap, seen, 1, this.buffer("k", n, reuse)),
          dims: [b, cfg.nKvHeads, hd, seen],
        };
        feeds[ATTN_INPUTS.pastValue] = {
          data: leadingColumns(cache.values[l], rows, cap, seen, hd, this.buffer("v", n, reuse)),
          dims: [b, cfg.nKvHeads, seen, hd],
        };
      } else if (owns) {
        feeds[ATTN_INPUTS.pastKey] = { data: cache.keys[l], dims: kDims };
        feeds[ATTN_INPUTS.pastValue] = { data: cache.values[l], dims: vDims };
      } else {
        // KV sharing: the source layer's buffer, this step's columns included (it comes earlier).
        feeds[ATTN_INPUTS.sharedKey] = { data: cache.keys[layer.kvSource], dims: kDims };
        feeds[ATTN_INPUTS.sharedValue] = { data: cache.values[layer.kvSource], dims: vDims };
      }
      const tables = layer.sliding ? ropeLocal : rope;
      if (tables) {
        feeds[ATTN_INPUTS.cos] = { data: tables.cos, dims: [b, t, 1, hd] };
        feeds[ATTN_INPUTS.sin] = { data: tables.sin, dims: [b, t, 1, hd] };
      }
      const wantZ = input.zLayers?.has(l) ?? false;
      let h: Float32Array;
      if (layer.block && !wantZ && !visitsInside(input.visit, l)) {
        const fetch: string[] = [BLOCK_OUTPUT];
        if (owns) fetch.push(ATTN_OUTPUTS.key, ATTN_OUTPUTS.value);
        const r = await layer.block.run(feeds, fetch);
        if (owns) this.writeKv(cache, l, r, past, t);
        h = r[BLOCK_OUTPUT].data; // resid_mid + mlp_out
      } else {
        const halves = await this.halvesOf(l);
        const fetch: string[] = [ATTN_OUTPUTS.out];
        if (owns) fetch.push(ATTN_OUTPUTS.key, ATTN_OUTPUTS.value);
        if (wantZ) fetch.push(ATTN_OUTPUTS.z);
        const a = await halves.attn.run(feeds, fetch);
        if (owns) this.writeKv(cache, l, a, past, t);
        if (wantZ && input.visit)
          input.visit(attnZ(l), a[ATTN_OUTPUTS.z].data, [b, t, cfg.nHeads, hd]);

        const attn = visit(attnOut(l), a[ATTN_OUTPUTS.out].data);
        let mid = add(x, attn); // resid_mid = resid_pre + attn_out
        mid = visit(residMid(l), mid);
        const m = await halves.mlp.run({ [MLP_INPUT]: { data: mid, dims } });
        const mlp = visit(mlpOut(l), m[MLP_OUTPUT].data);
        h = add(mid, mlp); // resid_post = resid_mid + mlp_out
      }
      if (this.ple && ple) h = add(h, visit(pleOut(l), await this.ple.inject(l, h, ple, b, t)));
      if (layer.scalar !== 1) for (let i = 0; i < h.length; i++) h[i] *= layer.scalar;
      x = visit(residPost(l), h);
    }

    if (input.logits === "none") {
      cache.length = past + t;
      return { logits: new Float32Array(0), cache };
    }
    let rows = x;
    if (rowsT < t) {
      // Only the rows asked for go through the unembedding (a vocabulary-wide matmul each).
      rows = new Float32Array(b * rowsT * d);
      for (let i = 0; i < b; i++)
        rows.set(x.subarray((i * t + t - rowsT) * d, (i * t + t) * d), i * rowsT * d);
    }
    const logits = (
      await this.unembed.run({ [UNEMBED_IO.x]: { data: rows, dims: [b, rowsT, d] } })
    )[UNEMBED_IO.logits].data;
    cache.length = past + t;
    return { logits, cache };
  }

  /** Writes a step's new K/V columns (`ATTN_OUTPUTS.key`/`value` of `out`) into the cache. */
  private writeKv(
    cache: KvCache,
    l: number,
    out: Record<string, { data: Float32Array }>,
    past: number,
    t: number,
  ): void {
    const rows = cache.batch * this.config.nKvHeads;
    const hd = this.layers[l].headDim;
    writeKeyColumns(cache.keys[l], out[ATTN_OUTPUTS.key].data, rows, cache.capacity, past, t, hd);
    writeColumns(cache.values[l], out[ATTN_OUTPUTS.value].data, rows, cache.capacity, past, t, hd);
  }

  async close(): Promise<void> {
    await this.embed.release();
    for (const l of this.layers) {
      const halves = await l.halves?.catch(() => null);
      await l.block?.release();
      await halves?.attn.release();
      await halves?.mlp.release();
    }
    await this.releaseRetired();
    await this.ple?.release();
    await this.unembed.release();
  }
}

/** Whether `visit` reads or edits a hook inside block `l` (between its input and output). */
function visitsInside(visit: HookVisitor | undefined, l: number): boolean {
  if (!visit) return false;
  const hooks = visit.hooks;
  if (!hooks) return true;
  return hooks.has(attnOut(l)) || hooks.has(residMid(l)) || hooks.has(mlpOut(l));
}

/** Columns [0, n) of `src` [R, cap, width] written into `out` [R, n, width]. */
function leadingColumns(
  src: Float32Array,
  rows: number,
  cap: number,
  n: number,
  width: number,
  out: Float32Array,
): Float32Array {
  for (let r = 0; r < rows; r++)
    out.set(src.subarray(r * cap * width, (r * cap + n) * width), r * n * width);
  return out;
}

/** Writes `src` [R, t, hd] into columns [at, at+t) of `dst` [R, cap, hd]. */
function writeColumns(
  dst: Float32Array,
  src: Float32Array,
  rows: number,
  cap: number,
  at: number,
  t: number,
  hd: number,
): void {
  for (let r = 0; r < rows; r++)
    dst.set(src.subarray(r * t * hd, (r + 1) * t * hd), (r * cap + at) * hd);
}

/** Writes `src` [R, t, hd] transposed into columns [at, at+t) of `dst` [R, hd, cap]. */
function writeKeyColumns(
  dst: Float32Array,
  src: Float32Array,
  rows: number,
  cap: number,
  at: number,
  t: number,
  hd: number,
): void {
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < t; j++) {
      const from = (r * t + j) * hd;
      const to = r * hd * cap + at + j;
      for (let e = 0; e < hd; e++) dst[to + e * cap] = src[from + e];
    }
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}
