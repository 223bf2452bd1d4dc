/**
 * The Gemma 4 text fields of config.json (`gemma4_text`, or the `text_config` of
 * a multimodal `gemma4` wrapper; ARCHITECTURES.md §1.2): per-layer head dims
 * (`global_head_dim` on full layers), the double-wide MLP of KV-shared layers,
 * which layer's K/V each layer reads (`num_kv_shared_layers`), and the
 * per-layer-embedding (PLE) sizes. config.ts calls this after parsing the fields
 * every decoder shares.
 *
 * Rejected with a clear `config_error` rather than run wrongly: the 26B/31B
 * variants' `attention_k_eq_v` and MoE block, bidirectional attention, and
 * attention biases.
 */
import { fail, type Json, num } from "./config-json.js";
import type { Gemma4Config, ModelConfig } from "./types.js";

/** HF's default when `layer_types` is absent: four sliding layers, then a full one; the last is full. */
export function gemma4LayerTypes(n: number): ("full" | "sliding")[] {
  return Array.from({ length: n }, (_, i) =>
    (i + 1) % 5 === 0 || i === n - 1 ? "full" : "sliding",
  );
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
  const global = num(text, "global_head_dim") || c.headDim;
  const headDims = c.layerTypes.map((t) => (t === "full" ? global : c.headDim));
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
