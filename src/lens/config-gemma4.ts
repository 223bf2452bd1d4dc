/**
 * The Gemma 4 text fields of config.json (`gemma4_text`, or the `text_config` of
 * a multimodal `gemma4` wrapper; ARCHITECTURES.md §1.2): per-layer head dims
 * (`global_head_dim` on full layers), the double-wide MLP of KV-shared layers,
 * which layer's K/V each layer reads (`num_kv_shared_layers`), and the
 * per-layer-embedding (PLE) sizes, from either spelling of the per-layer head dims
 * (`global_head_dim`, or transformers ≥ 5.15's `per_layer_config`). config.ts calls
 * this after parsing the fields every decoder shares.
 *
 * Rejected with a clear `config_error` rather than run wrongly: the 26B/31B
 * variants' `attention_k_eq_v` and MoE block, bidirectional attention, and
 * attention biases.
 */
import { fail, isRecord, type Json, num } from "./config-json.js";
import type { Gemma4Config, ModelConfig } from "./types.js";

/**
 * HF 5.18's default when `layer_types` is absent: five sliding layers, then a full one
 * (`sliding_window_pattern` is not read); the last layer is always full.
 */
export function gemma4LayerTypes(n: number): ("full" | "sliding")[] {
  return Array.from({ length: n }, (_, i) =>
    (i + 1) % 6 === 0 || i === n - 1 ? "full" : "sliding",
  );
}

/**
 * Gemma4TextConfig's defaults (transformers 5.18) for the fields that shape the model, so a
 * config that leaves one out parses as HF reads it (an explicit `null` stays null, as in HF).
 */
const GEMMA4_TEXT_DEFAULTS: Json = {
  vocab_size: 262144,
  hidden_size: 2304,
  intermediate_size: 9216,
  num_hidden_layers: 30,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
  hidden_activation: "gelu_pytorch_tanh",
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-6,
  pad_token_id: 0,
  eos_token_id: 1,
  bos_token_id: 2,
  tie_word_embeddings: true,
  sliding_window: 512,
  vocab_size_per_layer_input: 262144,
  hidden_size_per_layer_input: 256,
};

/** The text config with HF's Gemma 4 defaults under it. */
export function withGemma4Defaults(text: Json): Json {
  return { ...GEMMA4_TEXT_DEFAULTS, ...text };
}

/** HF's `global_head_dim` default when neither it nor `per_layer_config` is given. */
const DEFAULT_GLOBAL_HEAD_DIM = 512;

/**
 * Head dim per layer. Configs written before transformers 5.15 (the published E2B's)
 * say `global_head_dim`; 5.15+ writes a sparse `per_layer_config` instead, e.g.
 * `{"04": {"head_dim": 512}, …}` (keys are layer indices, zero-padded), and drops
 * `global_head_dim`. Only the overrides HF's Gemma 4 reads per layer are accepted:
 * `head_dim` (the same for every layer of a type: RoPE tables are per type) and a
 * `num_key_value_heads` equal to the global one; anything else is a clear error.
 */
function headDimsOf(text: Json, c: ModelConfig): number[] {
  const plc = text.per_layer_config;
  if (plc === undefined || plc === null) {
    const global = num(text, "global_head_dim") ?? DEFAULT_GLOBAL_HEAD_DIM;
    return c.layerTypes.map((t) => (t === "full" ? global : c.headDim));
  }
  if (!isRecord(plc))
    fail("config.json: per_layer_config must be an object of layer index → overrides");
  const dims = c.layerTypes.map(() => c.headDim);
  for (const [key, overrides] of Object.entries(plc)) {
    const l = /^\d+$/.test(key) ? Number(key) : Number.NaN;
    if (!(l >= 0 && l < c.nLayers))
      fail(`config.json: per_layer_config key "${key}" is not a layer index in [0, ${c.nLayers})`);
    if (!isRecord(overrides)) fail(`config.json: per_layer_config["${key}"] must be an object`);
    for (const [field, v] of Object.entries(overrides)) {
      if (field === "head_dim") {
        if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
          fail(`config.json: per_layer_config["${key}"].head_dim must be a positive integer`);
        dims[l] = v;
      } else if (field === "num_key_value_heads") {
        if (v !== c.nKvHeads)
          fail(
            `config.json: per_layer_config["${key}"].num_key_value_heads ${String(v)} differs from num_key_value_heads ${c.nKvHeads}; per-layer KV head counts are not supported`,
          );
      } else {
        fail(
          `config.json: per_layer_config["${key}"].${field} is not supported (per-layer head_dim and num_key_value_heads only)`,
        );
      }
    }
  }
  for (const type of ["full", "sliding"] as const) {
    const of = [...new Set(dims.filter((_, l) => c.layerTypes[l] === type))];
    if (of.length > 1)
      fail(
        `config.json: per_layer_config gives ${type} layers different head dims (${of.join(", ")}); they must agree per layer type`,
      );
  }
  return dims;
}

export function gemma4Extras(
  text: Json,
  c: ModelConfig,
  roundScale: (x: number) => number,
): Gemma4Config {
  if (text.attention_k_eq_v === true)
    fail("config.json: attention_k_eq_v=true (Gemma 4 26B/31B) is not supported");
  if (text.enable_moe_block === true)
    fail("config.json: enable_moe_block=true (Gemma 4 26B-A4B) is not supported");
  if (text.use_bidirectional_attention === "all" || text.use_bidirectional_attention === true)
    fail("config.json: bidirectional attention is not supported (causal text only)");
  if (text.attention_bias === true) fail("config.json: attention_bias=true is not supported");
  const n = c.nLayers;
  const headDims = headDimsOf(text, c);
  const shared = num(text, "num_kv_shared_layers") ?? 0;
  if (!Number.isInteger(shared) || shared < 0 || shared >= n)
    fail(`config.json: num_kv_shared_layers ${shared} must be in [0, ${n - 1}] for ${n} layers`);
  const first = n - shared;
  const kvSource = c.layerTypes.map((t, l) => {
    if (l < first) return l;
    // The last non-shared layer of the same type keeps the K/V the shared layers read.
    const src = c.layerTypes.slice(0, first).lastIndexOf(t);
    if (src < 0)
      fail(`config.json: KV-shared layer ${l} (${t}) has no earlier non-shared ${t} layer`);
    return src;
  });
  const doubleWide = text.use_double_wide_mlp === true;
  const dMlps = kvSource.map((_, l) => (doubleWide && l >= first && shared > 0 ? 2 : 1) * c.dMlp);
  const pleDim = num(text, "hidden_size_per_layer_input") ?? 0;
  const ple =
    pleDim > 0
      ? {
          dim: pleDim,
          vocabSize: num(text, "vocab_size_per_layer_input") ?? c.vocabSize,
          // Like every Gemma embedding scale, cast to the weight dtype before multiplying.
          embedScale: roundScale(Math.sqrt(pleDim)),
        }
      : null;
  return { headDims, dMlps, kvSource, ple };
}
