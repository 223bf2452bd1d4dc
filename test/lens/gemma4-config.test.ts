// The real Gemma 4 E2B config.json, in both spellings HF has written it: as
// published (multimodal `gemma4` wrapper, flat `global_head_dim`, audio and vision
// sub-configs, bf16) and as transformers >= 5.15 re-saves it (`per_layer_config`
// with zero-padded layer keys instead of `global_head_dim`). The fixture is written
// here from the fields of transformers 5.18's Gemma4Config/Gemma4TextConfig with
// E2B's values (ARCHITECTURES.md §1.2); nothing is downloaded. A tiny-tensor
// checkpoint with the same config structure loads to the same forward as its
// make-tiny original. HF's own defaults (layer pattern 5:1, global head dim 512,
// PLE 256) apply when a field is absent, and what the runtime cannot run is a
// clear config_error.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { parseConfig } from "../../src/lens/config.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { SafetensorsFile, writeSafetensors } from "../../src/lens/safetensors.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

type Json = Record<string, unknown>;

const E2B_LAYER_TYPES = Array.from({ length: 35 }, (_, i) =>
  (i + 1) % 5 === 0 ? "full_attention" : "sliding_attention",
);

/** google/gemma-4-E2B's config.json as published: every Gemma4TextConfig field, E2B's values. */
function e2bPublished(): Json {
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
function toPerLayerSpelling(config: Json): Json {
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

const withText = (config: Json, patch: Json): Json => ({
  ...config,
  text_config: { ...(config.text_config as Json), ...patch },
});

describe("the published Gemma 4 E2B config.json", () => {
  it("parses to E2B's layer plan: 15 layers with K/V, 20 sharing 13's or 14's, double-wide, head dim 512 on full layers", () => {
    const c = parseConfig(e2bPublished());
    const g = c.gemma4!;
    expect(c).toMatchObject({
      modelType: "gemma4",
      arch: "gemma4",
      nLayers: 35,
      dModel: 1536,
      nHeads: 8,
      nKvHeads: 1,
      headDim: 256,
      dMlp: 6144,
      vocabSize: 262144,
      maxPositions: 131072,
      storageDtype: "bf16",
      tiedEmbeddings: true,
      slidingWindow: 512,
      finalSoftcap: 30,
      embedScale: 39.25,
      bosTokenId: 2,
      eosTokenIds: [1],
      padTokenId: 0,
      act: "gelu_tanh",
    });
    expect(c.rope).toEqual({
      theta: 1e6,
      type: "proportional",
      factor: 1,
      partialRotaryFactor: 0.25,
    });
    expect(c.ropeLocal).toEqual({ theta: 10000, type: "default" });
    for (let l = 0; l < 35; l++) {
      const full = (l + 1) % 5 === 0;
      expect(c.layerTypes[l]).toBe(full ? "full" : "sliding");
      expect(g.headDims[l]).toBe(full ? 512 : 256);
      expect(g.kvSource[l]).toBe(l < 15 ? l : full ? 14 : 13);
      expect(g.dMlps[l]).toBe(l < 15 ? 6144 : 12288);
    }
    expect(g.ple).toEqual({ dim: 256, vocabSize: 262144, embedScale: 16 });
  });

  it("transformers >= 5.15's per_layer_config spelling parses to the same config", () => {
    const published = parseConfig(e2bPublished());
    const resaved = toPerLayerSpelling(e2bPublished());
    expect(Object.keys((resaved.text_config as Json).per_layer_config as Json).sort()).toEqual([
      "04",
      "09",
      "14",
      "19",
      "24",
      "29",
      "34",
    ]);
    expect(parseConfig(resaved)).toEqual(published);
    // Integer keys (a config built in Python and never serialised) read the same.
    const intKeys = withText(resaved, {
      per_layer_config: { 4: { head_dim: 512 }, 9: { head_dim: 512 }, 14: { head_dim: 512 } },
      num_hidden_layers: 15,
      num_kv_shared_layers: 0,
      layer_types: E2B_LAYER_TYPES.slice(0, 15),
    });
    expect(parseConfig(intKeys).gemma4!.headDims.filter((d) => d === 512)).toHaveLength(3);
    // An explicit per-layer num_key_value_heads equal to the global one is accepted.
    const kvSame = withText(resaved, {
      per_layer_config: { "04": { head_dim: 512, num_key_value_heads: 1 } },
      num_hidden_layers: 5,
      num_kv_shared_layers: 0,
      layer_types: E2B_LAYER_TYPES.slice(0, 5),
    });
    expect(parseConfig(kvSame).gemma4!.headDims).toEqual([256, 256, 256, 256, 512]);
  });

  it("what the runtime cannot run in per_layer_config or elsewhere is a config_error that says why", () => {
    const resaved = toPerLayerSpelling(e2bPublished());
    const bad = (patch: Json) => () => parseConfig(withText(resaved, patch));
    expect(bad({ per_layer_config: { "04": { intermediate_size: 128 } } })).toThrow(
      /per_layer_config\["04"\]\.intermediate_size is not supported/,
    );
    expect(bad({ per_layer_config: { "04": { num_key_value_heads: 2 } } })).toThrow(
      /per-layer KV head counts are not supported/,
    );
    expect(bad({ per_layer_config: { "35": { head_dim: 512 } } })).toThrow(
      /"35" is not a layer index in \[0, 35\)/,
    );
    expect(bad({ per_layer_config: { first: { head_dim: 512 } } })).toThrow(/not a layer index/);
    expect(bad({ per_layer_config: { "04": { head_dim: 512 }, "09": { head_dim: 384 } } })).toThrow(
      /full layers different head dims \(512, 384, 256\)/,
    );
    expect(bad({ per_layer_config: { "04": { head_dim: -1 } } })).toThrow(/positive integer/);
    expect(bad({ per_layer_config: [1, 2] })).toThrow(/per_layer_config must be an object/);
    expect(() =>
      parseConfig({ ...resaved, quantization_config: { quant_method: "gemma" } }),
    ).toThrow(/pre-quantised checkpoints .* --quant int8\|int4/);
    expect(bad({ use_bidirectional_attention: "all" })).toThrow(/bidirectional/);
    expect(bad({ attention_k_eq_v: true, num_global_key_value_heads: 4 })).toThrow(
      /attention_k_eq_v/,
    );
    // "vision": only image tokens attend both ways; text stays causal, so it loads.
    expect(parseConfig(withText(resaved, { use_bidirectional_attention: "vision" })).arch).toBe(
      "gemma4",
    );
  });

  it("fields left out take HF 5.18's Gemma4TextConfig defaults, and the last layer is always full", () => {
    const bare = {
      model_type: "gemma4_text",
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 8,
      num_attention_heads: 8,
      vocab_size: 320,
    };
    const c = parseConfig(bare);
    // Five sliding, one full, and the last forced full; no global_head_dim → 512; PLE 256 over
    // 262144 rows; head_dim 256, 4 KV heads, gelu_pytorch_tanh, window 512.
    expect(c.layerTypes).toEqual([
      "sliding",
      "sliding",
      "sliding",
      "sliding",
      "sliding",
      "full",
      "sliding",
      "full",
    ]);
    expect(c.gemma4!.headDims).toEqual([256, 256, 256, 256, 256, 512, 256, 512]);
    expect(c.gemma4!.ple).toEqual({ dim: 256, vocabSize: 262144, embedScale: 16 });
    expect(c).toMatchObject({ headDim: 256, nKvHeads: 4, act: "gelu_tanh", slidingWindow: 512 });
    expect(parseConfig({ ...bare, hidden_size_per_layer_input: null }).gemma4!.ple).toBeNull();
    const lastSliding = parseConfig({
      ...bare,
      num_hidden_layers: 3,
      layer_types: ["sliding_attention", "full_attention", "sliding_attention"],
    });
    expect(lastSliding.layerTypes).toEqual(["sliding", "full", "full"]);
  });
});

describe("a tiny-tensor checkpoint with the real config's structure", () => {
  it("loads (model.language_model.* names, audio/vision towers and shared layers' k/v ignored) to the make-tiny forward", () => {
    const { dir, config: tinyConfig } = dirs.checkpoint("gemma4");
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
    const config = toPerLayerSpelling({ ...real, dtype: "float32", text_config: text });
    const mm = dirs.dir("gemma4-real");
    writeFileSync(join(mm, "config.json"), JSON.stringify(config));
    for (const f of ["tokenizer.json", "tokenizer_config.json"])
      copyFileSync(join(dir, f), join(mm, f));

    const file = SafetensorsFile.open(join(dir, "model.safetensors"));
    const tensors = [...file.entries.keys()].map((name) => ({
      name: name.replace(/^model\./, "model.language_model."),
      ...file.read(name),
    }));
    const extra = (name: string, shape: number[]) =>
      tensors.push({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    extra("model.audio_tower.subsample_conv_projection.conv_0.conv.weight", [4, 1, 3, 3]);
    extra("model.embed_audio.embedding_projection.weight", [8, 4]);
    extra("model.vision_tower.patch_embedder.input_proj.weight", [8, 12]);
    extra("model.embed_vision.embedding_projection.weight", [8, 8]);
    // The converter may keep k/v weights in KV-shared layers (HF ignores them on load).
    const shared = tinyConfig.gemma4!.kvSource.findIndex((s, l) => s !== l);
    expect(shared).toBeGreaterThan(0);
    extra(`model.language_model.layers.${shared}.self_attn.k_proj.weight`, [32, 64]);
    writeSafetensors(join(mm, "model.safetensors"), tensors, "f32");

    const loaded = loadCheckpoint(mm);
    expect({ ...loaded.config, modelType: "gemma4_text" }).toEqual(tinyConfig);
    const tokens = [3, 17, 42, 99, 150, 7, 250, 11, 64];
    expect(referenceForward(loaded, tokens).logits).toEqual(
      referenceForward(loadCheckpoint(dir), tokens).logits,
    );
  });
});
