// The real Gemma 4 E2B config.json as a fixture (written from the fields of
// transformers 5.18's Gemma4Config/Gemma4TextConfig with E2B's values,
// ARCHITECTURES.md §1.2; nothing downloaded), its transformers >= 5.15 re-save
// (`per_layer_config`), and a writer that puts a make-tiny Gemma 4 checkpoint's
// tensors inside that real structure. Used by gemma4-config.test.ts and the
// optional HF parity check (hf-parity.test.ts).
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringifyHfConfig } from "../../src/lens/hf-json.js";
import { SafetensorsFile, writeSafetensors } from "../../src/lens/safetensors.js";
import type { ModelConfig } from "../../src/lens/types.js";

export type Json = Record<string, unknown>;

export const E2B_LAYER_TYPES = Array.from({ length: 35 }, (_, i) =>
  (i + 1) % 5 === 0 ? "full_attention" : "sliding_attention",
);

/** google/gemma-4-E2B's config.json as published: every Gemma4TextConfig field, E2B's values. */
export function e2bPublished(): Json {
  return {
    architectures: ["Gemma4ForConditionalGeneration"],
    audio_config: {
      attention_chunk_size: 12,
      attention_context_left: 13,
      attention_context_right: 0,
      attention_invalid_logits_value: -1e9,
      attention_logit_cap: 50.0,
      conv_kernel_size: 5,
      gradient_clipping: 1e10,
      hidden_act: "silu",
      hidden_size: 1024,
      initializer_range: 0.02,
      model_type: "gemma4_audio",
      num_attention_heads: 8,
      num_hidden_layers: 12,
      output_proj_dims: 1536,
      residual_weight: 0.5,
      rms_norm_eps: 1e-6,
      subsampling_conv_channels: [128, 32],
      use_clipped_linears: true,
    },
    audio_token_id: 258881,
    boa_token_id: 256000,
    boi_token_id: 255999,
    dtype: "bfloat16",
    eoa_token_index: 258883,
    eoi_token_id: 258882,
    image_token_id: 258880,
    initializer_range: 0.02,
    model_type: "gemma4",
    text_config: {
      attention_bias: false,
      attention_dropout: 0.0,
      attention_k_eq_v: false,
      bos_token_id: 2,
      dtype: "bfloat16",
      enable_moe_block: false,
      eos_token_id: 1,
      final_logit_softcapping: 30.0,
      global_head_dim: 512,
      head_dim: 256,
      hidden_activation: "gelu_pytorch_tanh",
      hidden_size: 1536,
      hidden_size_per_layer_input: 256,
      initializer_range: 0.02,
      intermediate_size: 6144,
      layer_types: E2B_LAYER_TYPES,
      max_position_embeddings: 131072,
      model_type: "gemma4_text",
      moe_intermediate_size: null,
      num_attention_heads: 8,
      num_experts: null,
      num_global_key_value_heads: null,
      num_hidden_layers: 35,
      num_key_value_heads: 1,
      num_kv_shared_layers: 20,
      pad_token_id: 0,
      rms_norm_eps: 1e-6,
      rope_parameters: {
        full_attention: {
          partial_rotary_factor: 0.25,
          rope_theta: 1000000.0,
          rope_type: "proportional",
        },
        sliding_attention: { rope_theta: 10000.0, rope_type: "default" },
      },
      sliding_window: 512,
      tie_word_embeddings: true,
      top_k_experts: null,
      use_bidirectional_attention: null,
      use_cache: true,
      use_double_wide_mlp: true,
      vocab_size: 262144,
      vocab_size_per_layer_input: 262144,
    },
    tie_word_embeddings: true,
    transformers_version: "5.5.0",
    video_token_id: 258884,
    vision_config: {
      attention_bias: false,
      attention_dropout: 0.0,
      head_dim: 64,
      hidden_activation: "gelu_pytorch_tanh",
      hidden_size: 768,
      intermediate_size: 3072,
      model_type: "gemma4_vision",
      num_attention_heads: 12,
      num_hidden_layers: 16,
      num_key_value_heads: 12,
      patch_size: 16,
      pooling_kernel_size: 3,
      position_embedding_size: 10240,
      rms_norm_eps: 1e-6,
      standardize: false,
      use_clipped_linears: true,
    },
    vision_soft_tokens_per_image: 280,
  };
}

/**
 * The same config as transformers >= 5.15 writes it: `global_head_dim` is folded into a sparse
 * `per_layer_config` keyed by zero-padded layer index (only the full layers differ).
 */
export function toPerLayerSpelling(config: Json): Json {
  const text = { ...(config.text_config as Json) };
  const global = text.global_head_dim;
  delete text.global_head_dim;
  delete text.num_global_key_value_heads;
  const types = text.layer_types as string[];
  const width = String(types.length - 1).length;
  text.per_layer_config = Object.fromEntries(
    types.flatMap((t, l) =>
      t === "full_attention" ? [[String(l).padStart(width, "0"), { head_dim: global }]] : [],
    ),
  );
  return { ...config, text_config: text, transformers_version: "5.18.0" };
}

/**
 * Writes into `out` the make-tiny Gemma 4 checkpoint in `tinyDir` dressed as the real E2B
 * release: the multimodal wrapper config with the tiny text sizes in E2B's real text_config
 * (per_layer_config spelling), tensors under `model.language_model.*`, and the k_proj the
 * converter may keep in a KV-shared layer. With `towers`, the audio/vision configs and a few
 * tower tensors stay (the lens loader skips them); without, both configs are null, so HF
 * builds no towers and needs no tower weights.
 */
export function writeRealStructure(
  tinyDir: string,
  tinyConfig: ModelConfig,
  out: string,
  opts: { towers: boolean },
): void {
  const dir = tinyDir;
  const tinyText = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Json;
  // The real structure around the tiny text model: wrapper fields, audio/vision configs,
  // f32 tensors (tiny), per_layer_config instead of global_head_dim.
  const real = e2bPublished();
  const text: Json = { ...(real.text_config as Json) };
  for (const k of [
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "global_head_dim",
    "hidden_size_per_layer_input",
    "vocab_size",
    "vocab_size_per_layer_input",
    "layer_types",
    "num_kv_shared_layers",
    "sliding_window",
    "max_position_embeddings",
    "rope_parameters",
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
  ])
    text[k] = tinyText[k];
  text.dtype = "float32";
  const config = toPerLayerSpelling({
    ...real,
    dtype: "float32",
    text_config: text,
    ...(opts.towers ? {} : { audio_config: null, vision_config: null }),
  });
  // Float fields as floats (30.0): HF 5.x's strict validation rejects an int there.
  writeFileSync(join(out, "config.json"), stringifyHfConfig(config));
  for (const f of ["tokenizer.json", "tokenizer_config.json"])
    copyFileSync(join(dir, f), join(out, f));

  const file = SafetensorsFile.open(join(dir, "model.safetensors"));
  const tensors = [...file.entries.keys()].map((name) => ({
    name: name.replace(/^model\./, "model.language_model."),
    ...file.read(name),
  }));
  const extra = (name: string, shape: number[]) =>
    tensors.push({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  if (opts.towers) {
    extra("model.audio_tower.subsample_conv_projection.conv_0.conv.weight", [4, 1, 3, 3]);
    extra("model.embed_audio.embedding_projection.weight", [8, 4]);
    extra("model.vision_tower.patch_embedder.input_proj.weight", [8, 12]);
    extra("model.embed_vision.embedding_projection.weight", [8, 8]);
  }
  // The converter may keep k/v weights in KV-shared layers (HF ignores them on load).
  const shared = tinyConfig.gemma4?.kvSource.findIndex((s, l) => s !== l) ?? -1;
  if (shared < 0) throw new Error("the tiny Gemma 4 checkpoint has no KV-shared layer");
  extra(`model.language_model.layers.${shared}.self_attn.k_proj.weight`, [
    tinyConfig.nKvHeads * (tinyConfig.gemma4?.headDims[shared] ?? tinyConfig.headDim),
    tinyConfig.dModel,
  ]);
  writeSafetensors(join(out, "model.safetensors"), tensors, "f32");
}
