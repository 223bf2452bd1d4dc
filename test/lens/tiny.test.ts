import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FLOAT_CONFIG_KEYS, floatLiteral } from "../../src/lens/hf-json.js";
import { residPost } from "../../src/lens/hooks.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { SafetensorsFile } from "../../src/lens/safetensors.js";
import { makeTinyCheckpoint, TINY_ARCHS } from "../../src/lens/tiny.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), "utf8"));
const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

/** Fields HF's config classes read for each family (a missing one would fall back to a default). */
const REQUIRED: Record<string, string[]> = {
  gpt2: [
    "n_embd",
    "n_head",
    "n_layer",
    "n_positions",
    "n_ctx",
    "layer_norm_epsilon",
    "activation_function",
    "vocab_size",
    "n_inner",
  ],
  llama: [
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "hidden_act",
    "rms_norm_eps",
    "rope_theta",
    "rope_scaling",
    "attention_bias",
    "mlp_bias",
    "max_position_embeddings",
  ],
  qwen2: [
    "hidden_size",
    "num_key_value_heads",
    "rope_theta",
    "use_sliding_window",
    "sliding_window",
    "max_window_layers",
    "rms_norm_eps",
  ],
  qwen3: ["head_dim", "attention_bias", "rope_theta", "rms_norm_eps", "use_sliding_window"],
  gemma2: [
    "head_dim",
    "query_pre_attn_scalar",
    "attn_logit_softcapping",
    "final_logit_softcapping",
    "sliding_window",
    "hidden_activation",
    "rope_theta",
    "layer_types",
  ],
  gemma3_text: [
    "head_dim",
    "query_pre_attn_scalar",
    "rope_local_base_freq",
    "sliding_window",
    "sliding_window_pattern",
    "layer_types",
    "rope_theta",
    "rope_scaling",
  ],
};

describe("makeTinyCheckpoint", () => {
  it("writes the HF file set: config, weights, tokenizer, tokenizer config with a chat template, generation config", () => {
    for (const arch of TINY_ARCHS) {
      const { dir } = dirs.checkpoint(arch);
      for (const f of [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "generation_config.json",
      ]) {
        expect(existsSync(join(dir, f)), `${arch} ${f}`).toBe(true);
      }
      expect(typeof json(dir, "tokenizer_config.json").chat_template).toBe("string");
    }
  });

  it("writes every field HF reads, with HF's model_type and architectures", () => {
    for (const arch of TINY_ARCHS) {
      const c = json(dirs.checkpoint(arch).dir, "config.json");
      expect(c.architectures).toHaveLength(1);
      expect(c.torch_dtype).toBe("float32");
      for (const field of REQUIRED[c.model_type] ?? [])
        expect(c, `${arch}.${field}`).toHaveProperty(field);
      for (const [k, v] of Object.entries(c)) expect(v, `${arch}.${k}`).not.toBeUndefined();
    }
  });

  it("stores lm_head.weight only when tie_word_embeddings is false, under HF's names", () => {
    for (const arch of TINY_ARCHS) {
      const { dir, config } = dirs.checkpoint(arch);
      const names = [...SafetensorsFile.open(join(dir, "model.safetensors")).entries.keys()];
      expect(names.includes("lm_head.weight"), arch).toBe(!config.tiedEmbeddings);
      const prefix = arch === "gpt2" ? "transformer." : "model.";
      expect(
        names.filter((n) => n !== "lm_head.weight").every((n) => n.startsWith(prefix)),
        arch,
      ).toBe(true);
    }
  });

  it("writes float-typed fields as floats (`30.0`, not `30`), as HF 5.x's strict configs require", () => {
    for (const arch of TINY_ARCHS) {
      const { dir } = dirs.checkpoint(arch);
      const text = readFileSync(join(dir, "config.json"), "utf8");
      const parsed = JSON.parse(text);
      let floats = 0;
      // Every float-typed key, at any depth, is written with a '.' or an exponent.
      for (const m of text.matchAll(/"([a-z_]+)": (-?[0-9][0-9.eE+-]*)/g)) {
        if (!FLOAT_CONFIG_KEYS.has(m[1])) continue;
        floats++;
        expect(m[2], `${arch}.${m[1]}`).toMatch(/[.eE]/);
      }
      expect(floats, arch).toBeGreaterThan(2);
      // Integer fields stay integers.
      for (const k of ["num_hidden_layers", "n_layer", "vocab_size"])
        if (k in parsed) expect(text, `${arch}.${k}`).toMatch(new RegExp(`"${k}": [0-9]+,`));
    }
    const gemma2 = readFileSync(join(dirs.checkpoint("gemma2").dir, "config.json"), "utf8");
    expect(gemma2).toContain('"final_logit_softcapping": 30.0');
    expect(gemma2).toContain('"attn_logit_softcapping": 50.0');
    expect(gemma2).toContain('"rope_theta": 10000.0');
    expect(JSON.parse(gemma2).final_logit_softcapping).toBe(30);
  });

  it("is deterministic in the seed", () => {
    const a = dirs.dir("a");
    const b = dirs.dir("b");
    const c = dirs.dir("c");
    makeTinyCheckpoint({ arch: "qwen3", outDir: a, seed: 7 });
    makeTinyCheckpoint({ arch: "qwen3", outDir: b, seed: 7 });
    makeTinyCheckpoint({ arch: "qwen3", outDir: c, seed: 8 });
    const bytes = (d: string) => readFileSync(join(d, "model.safetensors"));
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
  });

  it("honours --layers, --d-model and --dtype", () => {
    const dir = dirs.dir("sized");
    const { config } = makeTinyCheckpoint({
      arch: "llama",
      outDir: dir,
      layers: 3,
      dModel: 96,
      dtype: "bf16",
    });
    expect([config.nLayers, config.dModel, config.nHeads, config.storageDtype]).toEqual([
      3,
      96,
      6,
      "bf16",
    ]);
    expect(json(dir, "config.json").torch_dtype).toBe("bfloat16");
    expect(
      SafetensorsFile.open(join(dir, "model.safetensors")).entries.get("model.norm.weight")?.dtype,
    ).toBe("bf16");
  });

  it("keeps activations and logits O(1) in every architecture", () => {
    for (const arch of TINY_ARCHS) {
      const ck = dirs.checkpoint(arch);
      const tokens = Array.from({ length: 12 }, (_, i) => (i * 37 + 5) % 290);
      const r = referenceForward(ck, tokens, { hooks: [residPost(ck.config.nLayers - 1)] });
      const resid = rms(r.cache.get(residPost(ck.config.nLayers - 1))!);
      const logits = rms(r.logits);
      expect(resid, arch).toBeGreaterThan(0.3);
      expect(resid, arch).toBeLessThan(5);
      expect(logits, arch).toBeGreaterThan(0.3);
      expect(logits, arch).toBeLessThan(15);
    }
  });

  it("floatLiteral keeps a decimal point or exponent and round-trips", () => {
    for (const x of [30, 0, -2, 1e-6, 1e-5, 0.02, 1000000, 1e21, 2.5]) {
      const s = floatLiteral(x);
      expect(s, String(x)).toMatch(/[.eE]/);
      expect(JSON.parse(s)).toBe(x);
    }
  });

  it("rejects an unknown arch and a d-model that is not a multiple of 16", () => {
    expect(() => makeTinyCheckpoint({ arch: "mamba" as never, outDir: dirs.dir() })).toThrow(
      /unknown --arch "mamba"/,
    );
    expect(() => makeTinyCheckpoint({ arch: "gpt2", outDir: dirs.dir(), dModel: 40 })).toThrow(
      /multiple of 16/,
    );
  });
});
