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
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { parseConfig } from "../../src/lens/config.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import {
  E2B_LAYER_TYPES,
  e2bPublished,
  toPerLayerSpelling,
  writeRealStructure,
} from "../helpers/gemma4-e2b.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

type Json = Record<string, unknown>;
const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

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
    const mm = dirs.dir("gemma4-real");
    writeRealStructure(dir, tinyConfig, mm, { towers: true });

    const loaded = loadCheckpoint(mm);
    expect({ ...loaded.config, modelType: "gemma4_text" }).toEqual(tinyConfig);
    const tokens = [3, 17, 42, 99, 150, 7, 250, 11, 64];
    expect(referenceForward(loaded, tokens).logits).toEqual(
      referenceForward(loadCheckpoint(dir), tokens).logits,
    );
  });
});
