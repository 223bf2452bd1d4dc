/**
 * make-tiny's config.json: HF's own field names and values for each `--arch`
 * (every field written, nothing left to HF's defaults), sized by the options.
 * Exported so tests can check `parseConfig` against exactly what is written.
 * Not here: weights, tokenizers and files (tiny.ts), or JSON formatting of float
 * fields (hf-json.ts).
 */
import { SeigeError } from "../util/errors.js";
import type { StorageDtype } from "./types.js";

export const TINY_ARCHS = [
  "llama",
  "qwen2",
  "qwen3",
  "smollm2",
  "gpt2",
  "gemma2",
  "gemma3",
  "gemma4",
] as const;
export type TinyArch = (typeof TINY_ARCHS)[number];

export interface MakeTinyOptions {
  arch: TinyArch;
  outDir: string;
  seed?: number;
  layers?: number;
  dModel?: number;
  dtype?: "f32" | "bf16";
  /** overrides for benchmark-sized checkpoints (defaults follow from dModel) */
  nHeads?: number;
  nKvHeads?: number;
  headDim?: number;
  dMlp?: number;
  vocabSize?: number;
  maxPositions?: number;
  /** Gemma 4 (benchmark shapes): PLE width (16), KV-shared layers (⌊n/3⌋), full every k-th layer (3) */
  pleDim?: number;
  kvSharedLayers?: number;
  fullEvery?: number;
}

const ARCHITECTURES: Record<TinyArch, string> = {
  llama: "LlamaForCausalLM",
  qwen2: "Qwen2ForCausalLM",
  qwen3: "Qwen3ForCausalLM",
  smollm2: "LlamaForCausalLM",
  gpt2: "GPT2LMHeadModel",
  gemma2: "Gemma2ForCausalLM",
  gemma3: "Gemma3ForCausalLM",
  gemma4: "Gemma4ForCausalLM",
};

/** Tie as HF's defaults for these families; Llama 2-style untied to exercise lm_head. */
const TIED: Record<TinyArch, boolean> = {
  llama: false,
  qwen2: true,
  qwen3: true,
  smollm2: true,
  gpt2: true,
  gemma2: true,
  gemma3: true,
  gemma4: true,
};

const TORCH_DTYPE: Record<StorageDtype, string> = {
  f32: "float32",
  bf16: "bfloat16",
  f16: "float16",
};

/** Builds config.json for the options (exported so tests can check parseConfig against it). */
export function tinyConfigJson(
  o: MakeTinyOptions,
  tok: {
    size: number;
    bosTokenId: number | null;
    eosTokenIds: number[];
    padTokenId: number | null;
  },
): Record<string, unknown> {
  const d = o.dModel ?? 64;
  // Gemma 4 needs a few layers to have both layer types and KV-shared layers.
  const layers = o.layers ?? (o.arch === "gemma4" ? 6 : 2);
  if (!Number.isInteger(d) || d < 16 || d % 16 !== 0) {
    throw new SeigeError(
      "validation_error",
      `make-tiny: --d-model must be a multiple of 16 (got ${d})`,
    );
  }
  if (!Number.isInteger(layers) || layers < 1)
    throw new SeigeError("validation_error", `make-tiny: --layers must be ≥ 1 (got ${layers})`);
  const gemma = o.arch === "gemma2" || o.arch === "gemma3" || o.arch === "gemma4";
  const heads = o.nHeads ?? d / 16;
  const kv =
    o.nKvHeads ??
    (o.arch === "gpt2" ? heads : gemma && o.arch === "gemma3" ? 1 : Math.max(1, heads / 2));
  // Qwen3 and Gemma use a head_dim different from d/H, as the real models do.
  const headDim = o.headDim ?? (o.arch === "qwen3" || gemma ? 32 : d / heads);
  const vocab = o.vocabSize ?? Math.ceil(tok.size / 64) * 64;
  const maxPos = o.maxPositions ?? 256;
  const eos = tok.eosTokenIds.length === 1 ? tok.eosTokenIds[0] : tok.eosTokenIds;
  const common = {
    architectures: [ARCHITECTURES[o.arch]],
    bos_token_id: tok.bosTokenId,
    eos_token_id: eos,
    tie_word_embeddings: TIED[o.arch],
    torch_dtype: TORCH_DTYPE[o.dtype ?? "f32"],
    transformers_version: "4.57.1",
    use_cache: true,
    vocab_size: vocab,
  };
  if (o.arch === "gpt2") {
    return {
      ...common,
      model_type: "gpt2",
      activation_function: "gelu_new",
      attn_pdrop: 0.1,
      embd_pdrop: 0.1,
      resid_pdrop: 0.1,
      initializer_range: 0.02,
      layer_norm_epsilon: 1e-5,
      n_ctx: maxPos,
      n_embd: d,
      n_head: heads,
      n_inner: o.dMlp ?? null,
      n_layer: layers,
      n_positions: maxPos,
      reorder_and_upcast_attn: false,
      scale_attn_by_inverse_layer_idx: false,
      scale_attn_weights: true,
      summary_activation: null,
      summary_first_dropout: 0.1,
      summary_proj_to_labels: true,
      summary_type: "cls_index",
      summary_use_proj: true,
    };
  }
  const decoder = {
    ...common,
    attention_bias: false,
    attention_dropout: 0.0,
    head_dim: headDim,
    hidden_size: d,
    initializer_range: 0.02,
    intermediate_size: o.dMlp ?? 3 * d,
    max_position_embeddings: maxPos,
    num_attention_heads: heads,
    num_hidden_layers: layers,
    num_key_value_heads: kv,
  };
  const full = (i: number, sliding: (i: number) => boolean): string =>
    sliding(i) ? "sliding_attention" : "full_attention";
  switch (o.arch) {
    case "llama":
    case "smollm2":
      return {
        ...decoder,
        model_type: "llama",
        hidden_act: "silu",
        mlp_bias: false,
        pretraining_tp: 1,
        rms_norm_eps: 1e-5,
        rope_theta: o.arch === "llama" ? 500000.0 : 100000.0,
        // Llama 3.x scaling with a small original context, so all three frequency bands occur.
        rope_scaling:
          o.arch === "llama"
            ? {
                rope_type: "llama3",
                factor: 8.0,
                low_freq_factor: 1.0,
                high_freq_factor: 4.0,
                original_max_position_embeddings: 64,
              }
            : null,
      };
    case "qwen2":
    case "qwen3":
      return {
        ...decoder,
        model_type: o.arch,
        hidden_act: "silu",
        layer_types: Array.from({ length: layers }, () => "full_attention"),
        max_window_layers: layers,
        rms_norm_eps: 1e-6,
        rope_scaling: null,
        rope_theta: 1000000.0,
        sliding_window: null,
        use_sliding_window: false,
        pad_token_id: tok.padTokenId,
      };
    case "gemma2":
      return {
        ...decoder,
        model_type: "gemma2",
        attn_logit_softcapping: 50.0,
        cache_implementation: "hybrid",
        final_logit_softcapping: 30.0,
        hidden_act: "gelu_pytorch_tanh",
        hidden_activation: "gelu_pytorch_tanh",
        layer_types: Array.from({ length: layers }, (_, i) => full(i, (j) => (j + 1) % 2 === 1)),
        pad_token_id: tok.padTokenId,
        query_pre_attn_scalar: 24,
        rms_norm_eps: 1e-6,
        rope_theta: 10000.0,
        sliding_window: 4,
      };
    case "gemma3":
      return {
        ...decoder,
        model_type: "gemma3_text",
        attn_logit_softcapping: null,
        final_logit_softcapping: null,
        hidden_activation: "gelu_pytorch_tanh",
        layer_types: Array.from({ length: layers }, (_, i) => full(i, (j) => (j + 1) % 2 !== 0)),
        pad_token_id: tok.padTokenId,
        query_pre_attn_scalar: 24,
        rms_norm_eps: 1e-6,
        rope_local_base_freq: 10000.0,
        rope_scaling: null,
        rope_theta: 1000000.0,
        sliding_window: 4,
        sliding_window_pattern: 2,
        use_bidirectional_attention: false,
      };
    case "gemma4": {
      // Full every third layer and last; the last ⌊n/3⌋ layers share K/V (each type has an
      // earlier non-shared layer to read from), as E2B's 4:1 pattern and 20-of-35 sharing do.
      const every = o.fullEvery ?? 3;
      const types = Array.from({ length: layers }, (_, i) =>
        full(i, (j) => (j + 1) % every !== 0 && j !== layers - 1),
      );
      return {
        ...decoder,
        model_type: "gemma4_text",
        transformers_version: "5.5.0",
        attention_k_eq_v: false,
        enable_moe_block: false,
        final_logit_softcapping: 30.0,
        global_head_dim: 2 * headDim,
        hidden_activation: "gelu_pytorch_tanh",
        hidden_size_per_layer_input: o.pleDim ?? 16,
        layer_types: types,
        num_global_key_value_heads: null,
        num_kv_shared_layers: o.kvSharedLayers ?? (layers >= 4 ? Math.floor(layers / 3) : 0),
        pad_token_id: tok.padTokenId,
        rms_norm_eps: 1e-6,
        rope_parameters: {
          full_attention: {
            partial_rotary_factor: 0.25,
            rope_theta: 1000000.0,
            rope_type: "proportional",
          },
          sliding_attention: { rope_theta: 10000.0, rope_type: "default" },
        },
        sliding_window: 4,
        use_bidirectional_attention: null,
        use_double_wide_mlp: true,
        vocab_size_per_layer_input: vocab,
      };
    }
  }
}
