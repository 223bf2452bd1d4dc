import { describe, expect, it } from "vitest";
import { parseConfig, roundToDtype } from "../../src/lens/config.js";
import { TINY_ARCHS, tinyConfigJson } from "../../src/lens/tiny.js";
import { makeTinyTokenizer } from "../../src/lens/tiny-tokenizer.js";
import { SeigeError } from "../../src/util/errors.js";

const tok = makeTinyTokenizer("chatml", 256);
const tiny = (arch: (typeof TINY_ARCHS)[number]) => tinyConfigJson({ arch, outDir: "unused" }, tok);

function expectConfigError(f: () => unknown, ...fragments: string[]) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeigeError);
    expect((e as SeigeError).code).toBe("config_error");
    for (const frag of fragments) expect((e as Error).message).toContain(frag);
    return;
  }
  throw new Error("expected a config_error");
}

const llama = {
  model_type: "llama",
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  hidden_act: "silu",
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-5,
  vocab_size: 128256,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  tie_word_embeddings: true,
  torch_dtype: "bfloat16",
};

describe("parseConfig", () => {
  it("maps every make-tiny arch to its architecture (smollm2 → llama, gemma3 → gemma3_text)", () => {
    const want = {
      llama: "llama",
      qwen2: "qwen2",
      qwen3: "qwen3",
      smollm2: "llama",
      gpt2: "gpt2",
      gemma2: "gemma2",
      gemma3: "gemma3",
      gemma4: "gemma4",
    };
    for (const arch of TINY_ARCHS) expect(parseConfig(tiny(arch)).arch).toBe(want[arch]);
    expect(tiny("gemma3").model_type).toBe("gemma3_text");
    expect(tiny("smollm2").model_type).toBe("llama");
  });

  it("reads the per-architecture features from the fields", () => {
    const q2 = parseConfig(tiny("qwen2"));
    expect([q2.qkvBias, q2.qkNorm, q2.norm, q2.gatedMlp]).toEqual([true, false, "rmsnorm", true]);
    const q3 = parseConfig(tiny("qwen3"));
    expect([q3.qkvBias, q3.qkNorm, q3.headDim]).toEqual([false, true, 32]);
    expect(q3.headDim).not.toBe(q3.dModel / q3.nHeads);
    const g2 = parseConfig(tiny("gemma2"));
    expect([g2.norm, g2.postNorms, g2.attnSoftcap, g2.finalSoftcap, g2.embedScale]).toEqual([
      "rmsnorm_plus_one",
      true,
      50,
      30,
      8,
    ]);
    expect(g2.attnScale).toBeCloseTo(24 ** -0.5, 12);
    expect(g2.layerTypes).toEqual(["sliding", "full"]);
    const g3 = parseConfig(tiny("gemma3"));
    expect([g3.qkNorm, g3.attnSoftcap, g3.finalSoftcap]).toEqual([true, null, null]);
    expect(g3.rope?.theta).toBe(1e6);
    expect(g3.ropeLocal?.theta).toBe(1e4);
    const gpt2 = parseConfig(tiny("gpt2"));
    expect([gpt2.norm, gpt2.act, gpt2.absolutePositions, gpt2.dMlp, gpt2.rope]).toEqual([
      "layernorm",
      "gelu_tanh",
      true,
      256,
      null,
    ]);
  });

  it("reads legacy rope_theta + rope_scaling and v5 rope_parameters to the same RopeConfig", () => {
    const scaling = {
      rope_type: "llama3",
      factor: 32.0,
      low_freq_factor: 1.0,
      high_freq_factor: 4.0,
      original_max_position_embeddings: 8192,
    };
    const legacy = parseConfig({ ...llama, rope_theta: 500000.0, rope_scaling: scaling });
    const v5 = parseConfig({ ...llama, rope_parameters: { ...scaling, rope_theta: 500000.0 } });
    expect(legacy.rope).toEqual(v5.rope);
    expect(legacy.rope).toEqual({
      theta: 500000,
      type: "llama3",
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositions: 8192,
    });
    // The older "type" key spelling of rope_scaling.
    expect(
      parseConfig({ ...llama, rope_theta: 1e4, rope_scaling: { type: "linear", factor: 2 } }).rope,
    ).toEqual({ theta: 1e4, type: "linear", factor: 2 });
  });

  it("reads Gemma 3's per-layer-type RoPE in both spellings (scaling on global layers only)", () => {
    const base = { ...tiny("gemma3") };
    const legacy = parseConfig({
      ...base,
      rope_theta: 1e6,
      rope_local_base_freq: 1e4,
      rope_scaling: { rope_type: "linear", factor: 8 },
    });
    const { rope_theta: _t, rope_local_base_freq: _l, rope_scaling: _s, ...bare } = base;
    const v5 = parseConfig({
      ...bare,
      rope_parameters: {
        full_attention: { rope_type: "linear", factor: 8, rope_theta: 1e6 },
        sliding_attention: { rope_type: "default", rope_theta: 1e4 },
      },
    });
    for (const c of [legacy, v5]) {
      expect(c.rope).toEqual({ theta: 1e6, type: "linear", factor: 8 });
      expect(c.ropeLocal).toEqual({ theta: 1e4, type: "default" });
    }
  });

  it("derives the Gemma layer pattern when layer_types is absent", () => {
    const g2: Record<string, unknown> = { ...tiny("gemma2"), num_hidden_layers: 4 };
    delete g2.layer_types;
    expect(parseConfig(g2).layerTypes).toEqual(["sliding", "full", "sliding", "full"]);
    const g3: Record<string, unknown> = {
      ...tiny("gemma3"),
      num_hidden_layers: 7,
      sliding_window_pattern: 6,
    };
    delete g3.layer_types;
    expect(parseConfig(g3).layerTypes).toEqual([
      "sliding",
      "sliding",
      "sliding",
      "sliding",
      "sliding",
      "full",
      "sliding",
    ]);
  });

  it("turns Qwen's use_sliding_window on from max_window_layers, and off by default", () => {
    const q: Record<string, unknown> = {
      ...tiny("qwen2"),
      use_sliding_window: true,
      sliding_window: 4,
      max_window_layers: 1,
    };
    delete q.layer_types;
    const on = parseConfig(q);
    expect([on.slidingWindow, on.layerTypes]).toEqual([4, ["full", "sliding"]]);
    const off = parseConfig({ ...q, use_sliding_window: false });
    expect([off.slidingWindow, off.layerTypes]).toEqual([null, ["full", "full"]]);
  });

  it("reads a multimodal gemma3 config through text_config, with eos as a list", () => {
    const { model_type: _m, ...text } = tiny("gemma3");
    const c = parseConfig({
      model_type: "gemma3",
      architectures: ["Gemma3ForConditionalGeneration"],
      eos_token_id: [1, 106],
      text_config: { ...text, model_type: "gemma3_text" },
    });
    expect(c.arch).toBe("gemma3");
    expect(c.modelType).toBe("gemma3");
    expect(c.nLayers).toBe(2);
    expect(c.eosTokenIds).toEqual([1, 106]);
  });

  it("accepts eos_token_id as an int or a list", () => {
    expect(parseConfig({ ...llama, rope_theta: 1e4, eos_token_id: 2 }).eosTokenIds).toEqual([2]);
    expect(parseConfig({ ...llama, rope_theta: 1e4 }).eosTokenIds).toEqual([
      128001, 128008, 128009,
    ]);
  });

  it("rounds Gemma's embedding scale to the weight dtype (√1536 → 39.25 in bf16)", () => {
    const g = { ...tiny("gemma3"), hidden_size: 1536 };
    expect(parseConfig(g, { storageDtype: "bf16" }).embedScale).toBe(39.25);
    expect(parseConfig(g, { storageDtype: "f32" }).embedScale).toBeCloseTo(Math.sqrt(1536), 5);
    expect(roundToDtype(Math.sqrt(1536), "f16")).toBe(39.1875);
  });

  it("rejects an unknown model_type naming it and the supported ones", () => {
    expectConfigError(
      () => parseConfig({ ...llama, model_type: "mamba" }),
      '"mamba"',
      "llama",
      "gemma3_text",
    );
  });

  it("rejects unsupported RoPE types, activations and missing fields clearly", () => {
    expectConfigError(
      () =>
        parseConfig({ ...llama, rope_theta: 1e4, rope_scaling: { rope_type: "yarn", factor: 4 } }),
      "yarn",
      "llama3",
    );
    expectConfigError(
      () => parseConfig({ ...llama, rope_theta: 1e4, hidden_act: "relu2" }),
      "relu2",
    );
    const { hidden_size: _h, ...noHidden } = llama;
    expectConfigError(() => parseConfig({ ...noHidden, rope_theta: 1e4 }), "hidden_size");
    expectConfigError(() => parseConfig({ ...llama }), "rope_theta");
    expectConfigError(() => parseConfig({ model_type: "gemma3", hidden_size: 8 }), "text_config");
  });
});
