/**
 * Parses a HuggingFace `config.json` into the one normalised `ModelConfig` the
 * whole lens runtime works from (STYLE.md §4: parse at the edge, trust inside).
 * It reads both spellings HF has used — transformers-4 (`rope_theta` +
 * `rope_scaling`, `rope_local_base_freq`, `sliding_window_pattern`) and
 * transformers-5 (`rope_parameters`, possibly nested per layer type,
 * `layer_types`) — and multimodal wrappers that nest the text model under
 * `text_config`. Every per-architecture default lives here, so forwards and
 * graph builders never branch on `model_type` themselves.
 *
 * It does not read any file (checkpoint.ts does), nor check tensors against the
 * config (checkpoint.ts asserts every shape); unsupported architectures and RoPE
 * types are rejected here with a `config_error` that says what is supported.
 */

import { gemma4Extras, gemma4LayerTypes, withGemma4Defaults } from "./config-gemma4.js";
import { fail, isRecord, type Json, need, nullableNum, num } from "./config-json.js";
import type { Architecture, ModelConfig, RopeConfig, StorageDtype } from "./types.js";

/** HF `model_type` → our architecture. SmolLM2 and Llama 2/3 all say "llama". */
const MODEL_TYPES: Record<string, Architecture> = {
  gpt2: "gpt2",
  llama: "llama",
  qwen2: "qwen2",
  qwen3: "qwen3",
  gemma2: "gemma2",
  gemma3_text: "gemma3",
  gemma3: "gemma3",
  gemma4_text: "gemma4",
  gemma4: "gemma4",
};

export const SUPPORTED_MODEL_TYPES: readonly string[] = Object.keys(MODEL_TYPES);

/** Rounds to the nearest bf16 / f16 value, as HF does when it casts a scalar to the weight dtype. */
export function roundToDtype(x: number, dtype: StorageDtype): number {
  if (dtype === "f32") return Math.fround(x);
  if (dtype === "f16") return f16Round(x);
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = (u[0] + 0x7fff + ((u[0] >>> 16) & 1)) & 0xffff0000;
  return f[0];
}

function f16Round(x: number): number {
  // f16 has 11 significant bits: round the f32 mantissa to 10 stored bits (normal range only,
  // which is all a scale like √d needs).
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = Math.floor(Math.log2(Math.abs(x)));
  const q = 2 ** (e - 10);
  return Math.round(x / q) * q;
}

/** Maps the `torch_dtype` / `dtype` field to a storage dtype (f32 when absent or unknown). */
export function dtypeFromConfig(c: Json): StorageDtype {
  const d = c.dtype ?? c.torch_dtype;
  if (d === "bfloat16") return "bf16";
  if (d === "float16") return "f16";
  return "f32";
}

function activation(c: Json, arch: Architecture): ModelConfig["act"] {
  const name = c.hidden_activation ?? c.hidden_act ?? c.activation_function;
  if (typeof name !== "string") {
    return fail(
      'config.json: no activation ("hidden_act", "hidden_activation" or "activation_function")',
    );
  }
  if (name === "silu" || name === "swish") return "silu";
  if (name === "gelu_new" || name === "gelu_pytorch_tanh" || name === "gelu_tanh")
    return "gelu_tanh";
  // Gemma configs that say "gelu" still run the tanh approximation in HF (ARCHITECTURES.md §2.0).
  if (name === "gelu") return arch.startsWith("gemma") ? "gelu_tanh" : "gelu";
  return fail(
    `config.json: activation "${name}" is not supported (use silu, gelu, gelu_new or gelu_pytorch_tanh)`,
  );
}

/** One RoPE block, in either spelling: `{rope_type|type, rope_theta?, factor, …}`. */
function ropeFrom(block: Json | null | undefined, theta: number | undefined): RopeConfig {
  const b = block ?? {};
  const t = (b.rope_type ?? b.type ?? "default") as string;
  const th = num(b, "rope_theta") ?? theta;
  const partial = num(b, "partial_rotary_factor");
  if (th === undefined)
    return fail("config.json: no rope_theta (legacy) or rope_parameters.rope_theta");
  // Gemma 4's global layers: only the first partial·hd/2 frequency pairs rotate.
  if (t === "proportional") {
    return {
      theta: th,
      type: "proportional",
      factor: num(b, "factor") ?? 1,
      partialRotaryFactor: partial ?? 1,
    };
  }
  if (partial !== undefined && partial !== 1) {
    fail(
      `config.json: partial_rotary_factor ${partial} is not supported (RoPE over the full head_dim only)`,
    );
  }
  if (t === "default") return { theta: th, type: "default" };
  if (t === "linear") return { theta: th, type: "linear", factor: need(b, "factor") };
  if (t === "llama3") {
    return {
      theta: th,
      type: "llama3",
      factor: need(b, "factor"),
      lowFreqFactor: need(b, "low_freq_factor"),
      highFreqFactor: need(b, "high_freq_factor"),
      originalMaxPositions: need(b, "original_max_position_embeddings"),
    };
  }
  return fail(
    `config.json: rope type "${t}" is not supported (default, linear, llama3 and proportional are)`,
  );
}

/** Global and local RoPE from whichever spelling the config uses. */
function ropes(c: Json, arch: Architecture): { rope: RopeConfig; ropeLocal: RopeConfig | null } {
  const params = c.rope_parameters;
  if (isRecord(params)) {
    // v5: flat, or nested per layer type (Gemma 3).
    if (isRecord(params.full_attention) || isRecord(params.sliding_attention)) {
      const full = ropeFrom(
        (params.full_attention ?? params.sliding_attention) as Json,
        num(c, "rope_theta"),
      );
      const local = isRecord(params.sliding_attention)
        ? ropeFrom(params.sliding_attention, undefined)
        : null;
      return { rope: full, ropeLocal: local };
    }
    return { rope: ropeFrom(params, num(c, "rope_theta")), ropeLocal: null };
  }
  if (arch === "gemma4") {
    // Gemma4TextConfig's defaults (ARCHITECTURES.md §1.2).
    return {
      rope: { theta: 1e6, type: "proportional", factor: 1, partialRotaryFactor: 0.25 },
      ropeLocal: { theta: 10000, type: "default" },
    };
  }
  const scaling = isRecord(c.rope_scaling) ? c.rope_scaling : null;
  const defaultTheta = arch === "gemma2" || arch === "gemma3" ? 10000 : undefined;
  const rope = ropeFrom(scaling, num(c, "rope_theta") ?? defaultTheta);
  // Legacy Gemma 3: local layers use their own base and never the global scaling.
  const localBase = num(c, "rope_local_base_freq");
  const ropeLocal =
    arch === "gemma3" ? { theta: localBase ?? 10000, type: "default" as const } : null;
  return { rope, ropeLocal };
}

function layerTypes(
  c: Json,
  arch: Architecture,
  n: number,
  window: number | null,
): ("full" | "sliding")[] {
  const given = c.layer_types;
  if (Array.isArray(given)) {
    if (given.length !== n) {
      fail(`config.json: layer_types has ${given.length} entries but num_hidden_layers is ${n}`);
    }
    const types = given.map((t): "full" | "sliding" => {
      if (t === "full_attention") return "full";
      if (t === "sliding_attention") return "sliding";
      return fail(
        `config.json: layer type "${String(t)}" is not supported (full_attention, sliding_attention)`,
      );
    });
    // HF's Gemma4TextConfig forces the last layer to full attention (with a warning).
    if (arch === "gemma4" && n > 0) types[n - 1] = "full";
    return types;
  }
  if (arch === "gemma4") return gemma4LayerTypes(n);
  const all = (i: number): "full" | "sliding" => {
    if (window === null) return "full";
    if (arch === "gemma2") return (i + 1) % 2 ? "sliding" : "full";
    if (arch === "gemma3") {
      const pattern = num(c, "sliding_window_pattern") ?? 6;
      return (i + 1) % pattern === 0 ? "full" : "sliding";
    }
    // Qwen2/3 with use_sliding_window: layers from max_window_layers on slide.
    return i >= (num(c, "max_window_layers") ?? 0) ? "sliding" : "full";
  };
  return Array.from({ length: n }, (_, i) => all(i));
}

function slidingWindow(c: Json, arch: Architecture): number | null {
  const w = nullableNum(c.sliding_window);
  if (arch === "gemma2" || arch === "gemma3") return w ?? 4096;
  if (arch === "gemma4") return w ?? 512;
  if (arch === "qwen2" || arch === "qwen3") return c.use_sliding_window === true ? w : null;
  if (arch === "llama") return Array.isArray(c.layer_types) ? w : null;
  return null;
}

function ids(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === "number");
  return [];
}

/**
 * Parses config.json. `storageDtype` is the dtype the tensors are actually stored in (the
 * loader reads it from the safetensors header); without it the config's `torch_dtype` is used.
 */
export function parseConfig(raw: unknown, opts: { storageDtype?: StorageDtype } = {}): ModelConfig {
  if (!isRecord(raw)) return fail("config.json: expected a JSON object");
  const modelType = raw.model_type;
  if (typeof modelType !== "string") return fail('config.json: no "model_type" field');
  const arch = MODEL_TYPES[modelType];
  if (arch === undefined) {
    return fail(
      `config.json: model_type "${modelType}" is not supported; supported: ${SUPPORTED_MODEL_TYPES.join(", ")}`,
    );
  }
  // Weights stored pre-quantised (QAT/GPTQ/compressed-tensors) are not read; quantise at load instead.
  const quantized =
    raw.quantization_config ??
    (isRecord(raw.text_config) ? raw.text_config.quantization_config : undefined);
  if (quantized !== undefined && quantized !== null) {
    return fail(
      "config.json: pre-quantised checkpoints (quantization_config) are not supported; load the bf16/f32 checkpoint and quantise at load with --quant int8|int4",
    );
  }
  // Multimodal wrappers keep the language model's settings under text_config.
  const given: Json = isRecord(raw.text_config) ? raw.text_config : raw;
  const text = arch === "gemma4" ? withGemma4Defaults(given) : given;
  if ((modelType === "gemma3" || modelType === "gemma4") && !isRecord(raw.text_config)) {
    return fail(
      `config.json: model_type "${modelType}" without "text_config"; expected a multimodal wrapper config`,
    );
  }
  // Special ids: a wrapper's own fields win (generation reads them there), else text_config's.
  const pick = (k: string): unknown => raw[k] ?? text[k];
  const storageDtype =
    opts.storageDtype ??
    (raw.dtype || raw.torch_dtype ? dtypeFromConfig(raw) : dtypeFromConfig(text));
  const tiedRaw = given.tie_word_embeddings ?? raw.tie_word_embeddings;
  const tiedEmbeddings = typeof tiedRaw === "boolean" ? tiedRaw : true;
  const base = {
    modelType,
    bosTokenId: nullableNum(pick("bos_token_id")),
    eosTokenIds: ids(pick("eos_token_id")),
    padTokenId: nullableNum(pick("pad_token_id")),
    tiedEmbeddings,
    storageDtype,
  };
  if (arch === "gpt2") {
    const d = need(text, "n_embd", "hidden_size");
    const h = need(text, "n_head", "num_attention_heads");
    return {
      ...base,
      arch,
      nLayers: need(text, "n_layer", "num_hidden_layers"),
      dModel: d,
      nHeads: h,
      nKvHeads: h,
      headDim: d / h,
      dMlp: num(text, "n_inner") ?? 4 * d,
      vocabSize: need(text, "vocab_size"),
      maxPositions: need(text, "n_positions", "n_ctx"),
      normEps: num(text, "layer_norm_epsilon") ?? 1e-5,
      norm: "layernorm",
      act: activation(text, arch),
      gatedMlp: false,
      qkvBias: true,
      outBias: true,
      qkNorm: false,
      postNorms: false,
      absolutePositions: true,
      rope: null,
      ropeLocal: null,
      embedScale: 1,
      attnScale: 1 / Math.sqrt(d / h),
      attnSoftcap: null,
      finalSoftcap: null,
      slidingWindow: null,
      layerTypes: Array.from({ length: need(text, "n_layer", "num_hidden_layers") }, () => "full"),
    };
  }
  const d = need(text, "hidden_size");
  const nHeads = need(text, "num_attention_heads");
  const nLayers = need(text, "num_hidden_layers");
  const headDim = num(text, "head_dim") ?? d / nHeads;
  if (!Number.isInteger(headDim))
    fail(`config.json: hidden_size ${d} is not divisible by num_attention_heads ${nHeads}`);
  const nKvHeads = num(text, "num_key_value_heads") ?? nHeads;
  if (nHeads % nKvHeads !== 0) {
    fail(
      `config.json: num_attention_heads ${nHeads} is not a multiple of num_key_value_heads ${nKvHeads}`,
    );
  }
  const gemma = arch === "gemma2" || arch === "gemma3";
  const gemma4 = arch === "gemma4";
  const window = slidingWindow(text, arch);
  const { rope, ropeLocal } = ropes(text, arch);
  const partial = num(text, "partial_rotary_factor");
  if (partial !== undefined && partial !== 1) {
    fail(
      `config.json: partial_rotary_factor ${partial} is not supported (RoPE over the full head_dim only)`,
    );
  }
  if (text.mlp_bias === true) fail("config.json: mlp_bias=true is not supported");
  // Llama and Qwen3 put attention_bias on o_proj too; no checkpoint we target uses it.
  if (arch !== "qwen2" && text.attention_bias === true) {
    fail(`config.json: attention_bias=true is not supported for ${modelType}`);
  }
  const types = layerTypes(text, arch, nLayers, window);
  const common: ModelConfig = {
    ...base,
    arch,
    nLayers,
    dModel: d,
    nHeads,
    nKvHeads,
    headDim,
    dMlp: need(text, "intermediate_size"),
    vocabSize: need(text, "vocab_size"),
    maxPositions: num(text, "max_position_embeddings") ?? 8192,
    normEps: num(text, "rms_norm_eps") ?? 1e-6,
    norm: gemma ? "rmsnorm_plus_one" : "rmsnorm",
    act: activation(text, arch),
    gatedMlp: true,
    // Qwen2 hard-codes q/k/v bias (and none on o_proj).
    qkvBias: arch === "qwen2",
    outBias: false,
    qkNorm: arch === "qwen3" || arch === "gemma3",
    postNorms: gemma,
    absolutePositions: false,
    rope,
    ropeLocal,
    // HF casts √d to the weight dtype before multiplying (ARCHITECTURES.md §2.0).
    embedScale: gemma ? roundToDtype(Math.sqrt(d), storageDtype) : 1,
    attnScale: gemma
      ? (num(text, "query_pre_attn_scalar") ?? headDim) ** -0.5
      : 1 / Math.sqrt(headDim),
    attnSoftcap: gemma ? nullableNum(text.attn_logit_softcapping) : null,
    finalSoftcap: gemma ? nullableNum(text.final_logit_softcapping) : null,
    slidingWindow: window,
    layerTypes: types,
  };
  if (!gemma4) return common;
  // Gemma 4: x·w RMSNorm (not 1+w), q/k norms, sandwich norms, attention scale 1, √d embedding.
  return {
    ...common,
    norm: "rmsnorm",
    qkNorm: true,
    postNorms: true,
    embedScale: roundToDtype(Math.sqrt(d), storageDtype),
    attnScale: 1,
    attnSoftcap: null,
    finalSoftcap: nullableNum(text.final_logit_softcapping),
    gemma4: gemma4Extras(text, common, (x) => roundToDtype(x, storageDtype)),
  };
}

/** head_dim of layer `l` (Gemma 4's full layers use `global_head_dim`). */
export function headDimOf(c: ModelConfig, l: number): number {
  return c.gemma4?.headDims[l] ?? c.headDim;
}

/** MLP width of layer `l` (Gemma 4's KV-shared layers may be double-wide). */
export function dMlpOf(c: ModelConfig, l: number): number {
  return c.gemma4?.dMlps[l] ?? c.dMlp;
}

/** The layer whose keys and values layer `l` attends over (itself, except Gemma 4's KV-shared layers). */
export function kvSourceOf(c: ModelConfig, l: number): number {
  return c.gemma4?.kvSource[l] ?? l;
}
