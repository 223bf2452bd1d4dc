/**
 * Per-architecture weight maps: where each block's tensors live in the
 * canonical TensorStore (types.ts) and how they become MatMul-ready `[in, out]`
 * matrices. HF `nn.Linear` stores `[out, in]` and is transposed here once at build
 * time; GPT-2's `Conv1D` already stores `[in, out]` and its fused `c_attn` is split
 * into q, k, v columns. Gemma's `(1+w)` RMSNorm weights are folded to `1+w` here
 * so the graph's norm is the same for Llama and Gemma.
 *
 * This file only reads and reshapes weights; the maths is in attention.ts/mlp.ts.
 */
import { SeigeError } from "../../util/errors.js";
import { dMlpOf, headDimOf, kvSourceOf } from "../config.js";
import type { ModelConfig, Tensor, TensorStore } from "../types.js";

/** A matrix ready for `x @ w`: data is row-major `[rows=in, cols=out]`. */
export interface Mat {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface NormWeights {
  weight: Float32Array;
  bias?: Float32Array;
}

export interface AttnWeights {
  norm: NormWeights;
  q: Mat;
  /** absent on Gemma 4's KV-shared layers, which attend over another layer's K/V */
  k?: Mat;
  v?: Mat;
  qBias?: Float32Array;
  kBias?: Float32Array;
  vBias?: Float32Array;
  qNorm?: NormWeights;
  kNorm?: NormWeights;
  /** Gemma 4's weight-free v norm (all-ones weight) */
  vNorm?: NormWeights;
  o: Mat;
  oBias?: Float32Array;
  postNorm?: NormWeights;
}

export interface MlpWeights {
  norm: NormWeights;
  /** gated: act(x@gate) * (x@up) @ down; plain: act(x@up + upBias) @ down + downBias */
  gate?: Mat;
  up: Mat;
  upBias?: Float32Array;
  down: Mat;
  downBias?: Float32Array;
  postNorm?: NormWeights;
}

function get(t: TensorStore, name: string, shape: number[]): Tensor {
  const x = t.get(name);
  if (x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i])) {
    throw new SeigeError(
      "config_error",
      `tensor ${name} has shape [${x.shape}] but the config implies [${shape}]; check config.json against the checkpoint`,
    );
  }
  return x;
}

/** `[out, in]` (nn.Linear) → `[in, out]`. */
function linear(t: TensorStore, name: string, out: number, inp: number): Mat {
  const w = get(t, name, [out, inp]).data;
  const data = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) {
    const row = o * inp;
    for (let i = 0; i < inp; i++) data[i * out + o] = w[row + i];
  }
  return { data, rows: inp, cols: out };
}

function norm(t: TensorStore, cfg: ModelConfig, name: string, dim: number): NormWeights {
  const w = get(t, `${name}.weight`, [dim]).data;
  if (cfg.norm === "layernorm") return { weight: w, bias: get(t, `${name}.bias`, [dim]).data };
  if (cfg.norm === "rmsnorm_plus_one") return { weight: w.map((x) => 1 + x) };
  return { weight: w };
}

/** Columns [from, from+n) of a row-major `[rows, cols]` matrix. */
function columns(w: Float32Array, rows: number, cols: number, from: number, n: number): Mat {
  const data = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) data.set(w.subarray(r * cols + from, r * cols + from + n), r * n);
  return { data, rows, cols: n };
}

function gpt2Attn(t: TensorStore, cfg: ModelConfig, l: number): AttnWeights {
  const d = cfg.dModel;
  const p = `h.${l}`;
  const w = get(t, `${p}.attn.c_attn.weight`, [d, 3 * d]).data;
  const b = get(t, `${p}.attn.c_attn.bias`, [3 * d]).data;
  return {
    norm: norm(t, cfg, `${p}.ln_1`, d),
    q: columns(w, d, 3 * d, 0, d),
    k: columns(w, d, 3 * d, d, d),
    v: columns(w, d, 3 * d, 2 * d, d),
    qBias: b.slice(0, d),
    kBias: b.slice(d, 2 * d),
    vBias: b.slice(2 * d),
    o: { data: get(t, `${p}.attn.c_proj.weight`, [d, d]).data, rows: d, cols: d },
    oBias: get(t, `${p}.attn.c_proj.bias`, [d]).data,
  };
}

function gpt2Mlp(t: TensorStore, cfg: ModelConfig, l: number): MlpWeights {
  const { dModel: d, dMlp: m } = cfg;
  const p = `h.${l}`;
  return {
    norm: norm(t, cfg, `${p}.ln_2`, d),
    up: { data: get(t, `${p}.mlp.c_fc.weight`, [d, m]).data, rows: d, cols: m },
    upBias: get(t, `${p}.mlp.c_fc.bias`, [m]).data,
    down: { data: get(t, `${p}.mlp.c_proj.weight`, [m, d]).data, rows: m, cols: d },
    downBias: get(t, `${p}.mlp.c_proj.bias`, [d]).data,
  };
}

/** Llama, Qwen2/3, SmolLM2 and Gemma 2/3 share HF's `layers.{l}.self_attn.*` naming. */
function llamaAttn(t: TensorStore, cfg: ModelConfig, l: number): AttnWeights {
  const { dModel: d, nHeads: h, nKvHeads: kv } = cfg;
  const hd = headDimOf(cfg, l);
  const p = `layers.${l}`;
  const a = `${p}.self_attn`;
  const gemma = cfg.postNorms;
  const ownsKv = kvSourceOf(cfg, l) === l;
  return {
    norm: norm(t, cfg, `${p}.input_layernorm`, d),
    q: linear(t, `${a}.q_proj.weight`, h * hd, d),
    k: ownsKv ? linear(t, `${a}.k_proj.weight`, kv * hd, d) : undefined,
    v: ownsKv ? linear(t, `${a}.v_proj.weight`, kv * hd, d) : undefined,
    qBias: cfg.qkvBias ? get(t, `${a}.q_proj.bias`, [h * hd]).data : undefined,
    kBias: cfg.qkvBias ? get(t, `${a}.k_proj.bias`, [kv * hd]).data : undefined,
    vBias: cfg.qkvBias ? get(t, `${a}.v_proj.bias`, [kv * hd]).data : undefined,
    qNorm: cfg.qkNorm ? norm(t, cfg, `${a}.q_norm`, hd) : undefined,
    kNorm: cfg.qkNorm && ownsKv ? norm(t, cfg, `${a}.k_norm`, hd) : undefined,
    vNorm: cfg.gemma4 && ownsKv ? { weight: new Float32Array(hd).fill(1) } : undefined,
    o: linear(t, `${a}.o_proj.weight`, d, h * hd),
    // In Gemma, post_attention_layernorm is the sandwich norm after attention;
    // in Llama the same name is the norm before the MLP (see llamaMlp).
    postNorm: gemma ? norm(t, cfg, `${p}.post_attention_layernorm`, d) : undefined,
  };
}

function llamaMlp(t: TensorStore, cfg: ModelConfig, l: number): MlpWeights {
  const d = cfg.dModel;
  const m = dMlpOf(cfg, l);
  const p = `layers.${l}`;
  const gemma = cfg.postNorms;
  return {
    norm: norm(
      t,
      cfg,
      gemma ? `${p}.pre_feedforward_layernorm` : `${p}.post_attention_layernorm`,
      d,
    ),
    gate: linear(t, `${p}.mlp.gate_proj.weight`, m, d),
    up: linear(t, `${p}.mlp.up_proj.weight`, m, d),
    down: linear(t, `${p}.mlp.down_proj.weight`, d, m),
    postNorm: gemma ? norm(t, cfg, `${p}.post_feedforward_layernorm`, d) : undefined,
  };
}

export function attnWeights(t: TensorStore, cfg: ModelConfig, layer: number): AttnWeights {
  return cfg.arch === "gpt2" ? gpt2Attn(t, cfg, layer) : llamaAttn(t, cfg, layer);
}

export function mlpWeights(t: TensorStore, cfg: ModelConfig, layer: number): MlpWeights {
  return cfg.arch === "gpt2" ? gpt2Mlp(t, cfg, layer) : llamaMlp(t, cfg, layer);
}

export interface EmbedWeights {
  tokens: Tensor;
  positions?: Tensor;
}

export function embedWeights(t: TensorStore, cfg: ModelConfig): EmbedWeights {
  const { vocabSize: v, dModel: d } = cfg;
  if (cfg.arch === "gpt2") {
    return {
      tokens: get(t, "wte.weight", [v, d]),
      positions: get(t, "wpe.weight", [cfg.maxPositions, d]),
    };
  }
  return { tokens: get(t, "embed_tokens.weight", [v, d]) };
}

export interface UnembedWeights {
  norm: NormWeights;
  head: Mat;
}

export function unembedWeights(t: TensorStore, cfg: ModelConfig): UnembedWeights {
  const d = cfg.dModel;
  return {
    norm: norm(t, cfg, cfg.arch === "gpt2" ? "ln_f" : "norm", d),
    head: linear(t, "lm_head.weight", cfg.vocabSize, d),
  };
}

/** Gemma 4's PLE context projection (embedding → n_layers·ple_dim) and its per-slice norm. */
export interface PleInputWeights {
  proj: Mat;
  norm: NormWeights;
}

export function pleInputWeights(t: TensorStore, cfg: ModelConfig): PleInputWeights {
  const { dim } = cfg.gemma4!.ple!;
  return {
    proj: linear(t, "per_layer_model_projection.weight", cfg.nLayers * dim, cfg.dModel),
    norm: norm(t, cfg, "per_layer_projection_norm", dim),
  };
}

/** One layer's PLE injection: gate (d → ple_dim), projection (ple_dim → d) and its norm. */
export interface PleLayerWeights {
  gate: Mat;
  proj: Mat;
  norm: NormWeights;
}

export function pleLayerWeights(t: TensorStore, cfg: ModelConfig, l: number): PleLayerWeights {
  const { dim } = cfg.gemma4!.ple!;
  const p = `layers.${l}`;
  return {
    gate: linear(t, `${p}.per_layer_input_gate.weight`, dim, cfg.dModel),
    proj: linear(t, `${p}.per_layer_projection.weight`, cfg.dModel, dim),
    norm: norm(t, cfg, `${p}.post_per_layer_input_norm`, cfg.dModel),
  };
}
