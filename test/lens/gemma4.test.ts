// Gemma 4 specifics (ARCHITECTURES.md §1.2–1.4): the E2B config's layer plan (KV
// sharing, double-wide MLP, global head dim, proportional RoPE), the multimodal
// wrapper config and checkpoint layout, the PLE table read by rows (never whole),
// and the PLE hook (`hook_ple_out`) on ORT and in the reference. ORT-vs-reference
// parity at every hook, cached-vs-uncached and batch-vs-single for Gemma 4 are in
// graph.test.ts and generate.test.ts (6-layer tiny model, tolerance 1e-4).
// HF transformers itself is run against these checkpoints in the optional
// hf-parity.test.ts; the real E2B config.json is parsed in gemma4-config.test.ts.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { parseConfig } from "../../src/lens/config.js";
import { allHookNames, hookShape, parseHookName, pleOut, residPost } from "../../src/lens/hooks.js";
import type { InterventionInput } from "../../src/lens/interventions.js";
import { fromTensors } from "../../src/lens/model.js";
import { PLE_TABLE } from "../../src/lens/ple.js";
import { ops, referenceForward } from "../../src/lens/reference/index.js";
import { Embedder, HELD_TABLE_BYTES } from "../../src/lens/runtime/embed.js";
import { SafetensorsFile, writeSafetensors } from "../../src/lens/safetensors.js";
import type { TensorStore } from "../../src/lens/types.js";
import { Rng } from "../../src/util/rng.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { maxAbsDiff } from "./ort-fixtures.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

const TOKENS = [3, 17, 42, 99, 150, 7, 250, 11, 64];

/** The E2B text config as the converter writes it (ARCHITECTURES.md §1.2), no weights. */
const E2B = {
  model_type: "gemma4_text",
  hidden_size: 1536,
  num_hidden_layers: 35,
  layer_types: Array.from({ length: 35 }, (_, i) =>
    (i + 1) % 5 === 0 ? "full_attention" : "sliding_attention",
  ),
  sliding_window: 512,
  num_attention_heads: 8,
  num_key_value_heads: 1,
  head_dim: 256,
  global_head_dim: 512,
  intermediate_size: 6144,
  use_double_wide_mlp: true,
  hidden_activation: "gelu_pytorch_tanh",
  hidden_size_per_layer_input: 256,
  vocab_size: 262144,
  vocab_size_per_layer_input: 262144,
  num_kv_shared_layers: 20,
  rope_parameters: {
    sliding_attention: { rope_type: "default", rope_theta: 10000.0 },
    full_attention: { rope_type: "proportional", partial_rotary_factor: 0.25, rope_theta: 1e6 },
  },
  final_logit_softcapping: 30.0,
  rms_norm_eps: 1e-6,
  tie_word_embeddings: true,
  max_position_embeddings: 131072,
  bos_token_id: 2,
  eos_token_id: 1,
  pad_token_id: 0,
  torch_dtype: "bfloat16",
};

describe("Gemma 4 config", () => {
  it("E2B: layers 15..34 read layer 13's (sliding) or 14's (full) K/V, are double-wide, full layers use head_dim 512", () => {
    const c = parseConfig(E2B);
    const g = c.gemma4!;
    expect(c.arch).toBe("gemma4");
    expect(c.norm).toBe("rmsnorm");
    expect(c.attnScale).toBe(1);
    expect(c.finalSoftcap).toBe(30);
    expect(c.embedScale).toBe(39.25); // √1536 cast to bf16, as HF does
    for (let l = 0; l < 35; l++) {
      const full = (l + 1) % 5 === 0;
      expect(g.kvSource[l], `layer ${l}`).toBe(l < 15 ? l : full ? 14 : 13);
      expect(g.headDims[l]).toBe(full ? 512 : 256);
      expect(g.dMlps[l]).toBe(l < 15 ? 6144 : 12288);
    }
    expect(g.ple).toEqual({ dim: 256, vocabSize: 262144, embedScale: 16 });
    // Proportional RoPE over 512: 64 rotating frequency pairs with exponent denominator 512, 192 still.
    const inv = ops.ropeInvFreq(c.rope!, 512);
    expect(inv.length).toBe(256);
    expect(inv[1]).toBeCloseTo(1e6 ** (-2 / 512), 15);
    expect(inv[63]).toBeGreaterThan(0);
    expect([...inv.subarray(64)].every((x) => x === 0)).toBe(true);
    expect(ops.ropeInvFreq(c.ropeLocal!, 256)[1]).toBeCloseTo(1e4 ** (-2 / 256), 15);
  });

  it("reads the text part of a multimodal gemma4 config and rejects the variants it cannot run", () => {
    const wrapped = parseConfig({
      model_type: "gemma4",
      text_config: E2B,
      vision_config: { model_type: "gemma4_vision" },
    });
    expect(wrapped).toEqual({ ...parseConfig(E2B), modelType: "gemma4" });
    const bad = (patch: Record<string, unknown>) => () => parseConfig({ ...E2B, ...patch });
    expect(bad({ attention_k_eq_v: true })).toThrow(/attention_k_eq_v/);
    expect(bad({ enable_moe_block: true })).toThrow(/enable_moe_block/);
    expect(bad({ num_kv_shared_layers: 35 })).toThrow(/num_kv_shared_layers/);
    expect(() => parseConfig({ ...E2B, model_type: "gemma4" })).toThrow(/text_config/);
  });
});

describe("Gemma 4 checkpoints", () => {
  it("make-tiny writes no k/v weights for KV-shared layers, a layer_scalar per layer, and the PLE tensors", () => {
    const { dir, config } = dirs.checkpoint("gemma4");
    const names = [...SafetensorsFile.open(join(dir, "model.safetensors")).entries.keys()];
    const shared = config.gemma4!.kvSource.flatMap((s, l) => (s !== l ? [l] : []));
    expect(shared).toEqual([4, 5]);
    for (let l = 0; l < config.nLayers; l++) {
      expect(names.includes(`model.layers.${l}.self_attn.k_proj.weight`)).toBe(!shared.includes(l));
      expect(names).toContain(`model.layers.${l}.layer_scalar`);
    }
    expect(names).toContain(`model.${PLE_TABLE}`);
    expect(names).toContain("model.per_layer_model_projection.weight");
  });

  it("loads the multimodal layout (model.language_model.*, vision tower ignored) to the same forward", () => {
    const { dir } = dirs.checkpoint("gemma4");
    const file = SafetensorsFile.open(join(dir, "model.safetensors"));
    const mm = dirs.dir("gemma4-mm");
    const tensors = [...file.entries.keys()].map((name) => ({
      name: name.replace(/^model\./, "model.language_model."),
      ...file.read(name),
    }));
    tensors.push({
      name: "model.vision_tower.patch.weight",
      shape: [2, 2],
      data: new Float32Array(4),
    });
    writeSafetensors(join(mm, "model.safetensors"), tensors, "f32");
    const text = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(
      join(mm, "config.json"),
      JSON.stringify({
        model_type: "gemma4",
        architectures: ["Gemma4ForConditionalGeneration"],
        text_config: text,
      }),
    );
    for (const f of ["tokenizer.json", "tokenizer_config.json"])
      copyFileSync(join(dir, f), join(mm, f));
    const a = referenceForward(loadCheckpoint(dir), TOKENS).logits;
    const b = referenceForward(loadCheckpoint(mm), TOKENS).logits;
    expect(b).toEqual(a);
  });

  it("the PLE table is only ever read by rows (by offset), never decoded whole; a small embedding table is held", async () => {
    const ck = dirs.checkpoint("gemma4");
    const fresh = loadCheckpoint(ck.dir, { cache: false });
    let rowReads = 0;
    let embedWhole = false;
    let embedRowReads = 0;
    const guarded: TensorStore = {
      has: (n) => fresh.tensors.has(n),
      names: () => fresh.tensors.names(),
      get(n) {
        if (n === PLE_TABLE) throw new Error("the PLE table was read whole");
        if (n === "embed_tokens.weight") embedWhole = true;
        return fresh.tensors.get(n);
      },
      rows(n, r) {
        if (n === PLE_TABLE) rowReads++;
        if (n === "embed_tokens.weight") embedRowReads++;
        return fresh.tensors.rows!(n, r);
      },
    };
    const ref = referenceForward({ config: fresh.config, tensors: guarded }, TOKENS).logits;
    embedWhole = false;
    embedRowReads = 0;
    const model = await fromTensors(fresh.config, guarded, { threads: 1 });
    try {
      const ort = await model.runWithCache(TOKENS, []);
      expect(maxAbsDiff(ort.logits.data, ref)).toBeLessThan(1e-4);
      expect(rowReads).toBe(2); // one gather per forward: reference, then ORT
      // A table this small is decoded once at load and held, not read from disk per step.
      expect(embedWhole).toBe(true);
      expect(embedRowReads).toBe(0);
    } finally {
      await model.close();
    }
  });

  it("an embedding table above the held size is gathered by rows at every step, never decoded whole", async () => {
    const { config } = dirs.checkpoint("gemma4");
    const vocabSize = Math.ceil(HELD_TABLE_BYTES / (4 * config.dModel)) + 1;
    const big = { ...config, vocabSize };
    const reads: number[][] = [];
    const store: TensorStore = {
      has: () => true,
      names: () => ["embed_tokens.weight"],
      get(n) {
        throw new Error(`${n} was decoded whole`);
      },
      rows(_n, r) {
        reads.push([...r]);
        return Float32Array.from({ length: r.length * config.dModel }, (_, i) => i);
      },
    };
    const embedder = await Embedder.create(big, store, async () => {
      throw new Error("no graph for a RoPE model's embedding");
    });
    for (const ids of [[3, vocabSize - 1], [7]])
      await embedder.run(ids, Int32Array.from(ids.keys()), 1, ids.length);
    expect(reads).toEqual([[3, vocabSize - 1], [7]]);
  });
});

describe("Gemma 4 hooks and interventions", () => {
  const vec = (seed: string, n: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => rng.normal());
  };

  it("hook_ple_out exists only on models with per-layer embeddings", () => {
    const g4 = dirs.checkpoint("gemma4").config;
    const llama = dirs.checkpoint("llama").config;
    expect(parseHookName(pleOut(2), hookShape(g4))).toEqual({
      kind: "block",
      layer: 2,
      hook: "hook_ple_out",
    });
    expect(parseHookName(pleOut(0), hookShape(llama))).toBeNull();
    expect(allHookNames(hookShape(g4)).filter((n) => n.endsWith("hook_ple_out"))).toHaveLength(6);
    expect(() =>
      referenceForward(dirs.checkpoint("llama"), [1, 2], {
        interventions: [{ kind: "capture", hook: pleOut(0), reduce: "last" }],
      }),
    ).toThrow(/not a hook point/);
  });

  it("add / project_out at hook_ple_out and a capture agree between ORT and the reference", async () => {
    const ck = dirs.checkpoint("gemma4");
    const d = ck.config.dModel;
    const list: InterventionInput[] = [
      { kind: "add", hook: pleOut(1), vector: vec("a", d), scale: 3, positions: [2, 5] },
      { kind: "project_out", hook: pleOut(4), direction: vec("b", d) },
      { kind: "capture", hook: pleOut(4), reduce: "all" },
      { kind: "capture", hook: residPost(5), reduce: "mean" },
    ];
    const ref = referenceForward(ck, TOKENS, { interventions: list, hooks: [residPost(1)] });
    const clean = referenceForward(ck, TOKENS, { hooks: [residPost(1)] });
    // The add moves resid_post(1) by scale·vector·layer_scalar at exactly the listed positions.
    const scalar = ck.tensors.get("layers.1.layer_scalar").data[0];
    const delta = ops.add(
      ref.cache.get(residPost(1))!,
      clean.cache.get(residPost(1))!.map((x) => -x),
    );
    for (let p = 0; p < TOKENS.length; p++) {
      const row = delta.subarray(p * d, (p + 1) * d);
      const want = [2, 5].includes(p)
        ? vec("a", d).map((x) => 3 * x * scalar)
        : vec("a", d).map(() => 0);
      expect(maxAbsDiff(row, want), `position ${p}`).toBeLessThan(1e-4);
    }
    // project_out leaves the captured ple_out with no component along the direction.
    const b = vec("b", d);
    const bn = Math.hypot(...b);
    const cap = ref.captures[0].value;
    for (let p = 0; p < TOKENS.length; p++) {
      const dot = cap.subarray(p * d, (p + 1) * d).reduce((s, x, i) => s + (x * b[i]) / bn, 0);
      expect(Math.abs(dot)).toBeLessThan(1e-4);
    }
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      const ort = await model.runWithHooks(TOKENS, list);
      expect(maxAbsDiff(ort.logits.data, ref.logits)).toBeLessThan(1e-4);
      expect(ort.captures.map((c) => c.index)).toEqual([2, 3]);
      for (let i = 0; i < 2; i++)
        expect(maxAbsDiff(ort.captures[i].value, ref.captures[i].value)).toBeLessThan(1e-4);
    } finally {
      await model.close();
    }
  });
});
