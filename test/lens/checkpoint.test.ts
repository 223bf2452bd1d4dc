import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalName, expectedTensors, loadCheckpoint } from "../../src/lens/checkpoint.js";
import { type NamedTensor, SafetensorsFile, writeSafetensors } from "../../src/lens/safetensors.js";
import { makeTinyCheckpoint, TINY_ARCHS } from "../../src/lens/tiny.js";
import { SeigeError } from "../../src/util/errors.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

/** A fresh make-tiny directory whose files a test may then break. */
function tinyDir(arch: (typeof TINY_ARCHS)[number] = "qwen2"): string {
  const dir = dirs.dir(arch);
  makeTinyCheckpoint({ arch, outDir: dir });
  return dir;
}

/** Rewrites model.safetensors in `dir` through `edit` (raw HF names). */
function rewrite(dir: string, edit: (ts: NamedTensor[]) => NamedTensor[]) {
  const f = SafetensorsFile.open(join(dir, "model.safetensors"));
  const ts = [...f.entries.keys()].map((name) => ({ name, ...f.read(name) }));
  writeSafetensors(join(dir, "model.safetensors"), edit(ts), "f32");
}

function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeigeError);
    expect((e as SeigeError).code).toBe("config_error");
    return (e as Error).message;
  }
  throw new Error("expected a config_error");
}

describe("loadCheckpoint", () => {
  it("loads every make-tiny arch with every expected tensor at its expected shape", () => {
    for (const arch of TINY_ARCHS) {
      const ck = dirs.checkpoint(arch);
      for (const [name, shape] of expectedTensors(ck.config))
        expect(ck.tensors.get(name).shape, `${arch} ${name}`).toEqual(shape);
    }
  });

  it("resolves a tied head to the embedding and keeps an untied one", () => {
    const tied = dirs.checkpoint("qwen2");
    expect(tied.config.tiedEmbeddings).toBe(true);
    expect(tied.tensors.get("lm_head.weight").data).toEqual(
      tied.tensors.get("embed_tokens.weight").data,
    );
    const gpt2 = dirs.checkpoint("gpt2");
    expect(gpt2.tensors.get("lm_head.weight").data).toEqual(gpt2.tensors.get("wte.weight").data);
    const untied = dirs.checkpoint("llama");
    expect(untied.config.tiedEmbeddings).toBe(false);
    expect(untied.tensors.get("lm_head.weight").data).not.toEqual(
      untied.tensors.get("embed_tokens.weight").data,
    );
  });

  it("strips wrapper prefixes: model., transformer., language_model.model., model.language_model.", () => {
    expect(canonicalName("model.layers.0.mlp.up_proj.weight")).toBe("layers.0.mlp.up_proj.weight");
    expect(canonicalName("transformer.h.1.attn.c_attn.weight")).toBe("h.1.attn.c_attn.weight");
    expect(canonicalName("language_model.model.norm.weight")).toBe("norm.weight");
    expect(canonicalName("model.language_model.embed_tokens.weight")).toBe("embed_tokens.weight");
    expect(canonicalName("language_model.lm_head.weight")).toBe("lm_head.weight");
    expect(canonicalName("wte.weight")).toBe("wte.weight");
  });

  it("loads an old-style multimodal Gemma 3 layout (text_config, language_model.model.*, vision tensors ignored)", () => {
    const dir = tinyDir("gemma3");
    // Tensors are read lazily: take the values before the file is rewritten.
    const qNorm = loadCheckpoint(dir).tensors.get("layers.1.self_attn.q_norm.weight").data;
    const text = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        model_type: "gemma3",
        architectures: ["Gemma3ForConditionalGeneration"],
        eos_token_id: [1, 106],
        text_config: text,
      }),
    );
    rewrite(dir, (ts) => [
      ...ts.map((t) => ({ ...t, name: t.name.replace(/^model\./, "language_model.model.") })),
      {
        name: "vision_tower.vision_model.embeddings.patch_embedding.weight",
        shape: [3],
        data: new Float32Array(3),
      },
    ]);
    const mm = loadCheckpoint(dir);
    expect(mm.config.arch).toBe("gemma3");
    expect(mm.tensors.has("vision_tower.vision_model.embeddings.patch_embedding.weight")).toBe(
      false,
    );
    expect(mm.tensors.get("layers.1.self_attn.q_norm.weight").data).toEqual(qNorm);
  });

  it("loads a sharded checkpoint the same as the single file", () => {
    const dir = tinyDir("qwen3");
    const single = loadCheckpoint(dir);
    const want = [...expectedTensors(single.config).keys()].map(
      (name) => [name, single.tensors.get(name)] as const,
    );
    const f = SafetensorsFile.open(join(dir, "model.safetensors"));
    const names = [...f.entries.keys()];
    const half = Math.floor(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    shards.forEach((list, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(
        join(dir, file),
        list.map((name) => ({ name, ...f.read(name) })),
        "f32",
      );
      for (const n of list) weightMap[n] = file;
    });
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    rmSync(join(dir, "model.safetensors"));
    const sharded = loadCheckpoint(dir);
    expect(sharded.tensors.names().length).toBe(single.tensors.names().length);
    for (const [name, t] of want) expect(sharded.tensors.get(name)).toEqual(t);
  });

  it("reads the storage dtype from the weights and keeps values bf16-exact", () => {
    const dir = dirs.dir("bf16");
    makeTinyCheckpoint({ arch: "gemma2", outDir: dir, dtype: "bf16" });
    const ck = loadCheckpoint(dir);
    expect(ck.config.storageDtype).toBe("bf16");
    const w = ck.tensors.get("layers.0.mlp.up_proj.weight").data;
    const bits = new Uint32Array(w.buffer, w.byteOffset, w.length);
    expect(bits.every((b) => (b & 0xffff) === 0)).toBe(true);
  });

  it("says when config.json, the weights or the directory are missing", () => {
    expect(configError(() => loadCheckpoint(join(dirs.root, "nowhere")))).toMatch(
      /no such checkpoint directory/,
    );
    const noConfig = tinyDir();
    rmSync(join(noConfig, "config.json"));
    expect(configError(() => loadCheckpoint(noConfig))).toMatch(/no config\.json/);
    const noWeights = tinyDir();
    rmSync(join(noWeights, "model.safetensors"));
    expect(configError(() => loadCheckpoint(noWeights))).toMatch(
      /no model\.safetensors or model\.safetensors\.index\.json/,
    );
    writeFileSync(join(noWeights, "pytorch_model.bin"), "");
    expect(configError(() => loadCheckpoint(noWeights))).toMatch(/convert them to safetensors/);
  });

  it("rejects an unsupported architecture naming it", () => {
    const dir = tinyDir();
    const c = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...c, model_type: "falcon" }));
    expect(configError(() => loadCheckpoint(dir))).toMatch(
      /model_type "falcon" is not supported; supported: gpt2, llama/,
    );
  });

  it("names a missing tensor and the file it was looked for in", () => {
    const dir = tinyDir("llama");
    rewrite(dir, (ts) => ts.filter((t) => t.name !== "model.layers.1.self_attn.k_proj.weight"));
    const msg = configError(() => loadCheckpoint(dir));
    expect(msg).toContain('tensor "layers.1.self_attn.k_proj.weight" is missing');
    expect(msg).toContain("model.safetensors");
  });

  it("names a tensor with the wrong shape, with expected and actual shapes", () => {
    const dir = tinyDir("qwen2");
    rewrite(dir, (ts) =>
      ts.map((t) =>
        t.name === "model.layers.0.mlp.down_proj.weight"
          ? { ...t, shape: [t.shape[1], t.shape[0]] }
          : t,
      ),
    );
    const msg = configError(() => loadCheckpoint(dir));
    expect(msg).toContain(
      '"model.layers.0.mlp.down_proj.weight" has shape [192, 64], expected [64, 192]',
    );
  });

  it("throws config_error naming the tensor when a TensorStore is asked for an unknown name", () => {
    const ck = dirs.checkpoint("gpt2");
    expect(configError(() => ck.tensors.get("h.9.attn.c_attn.weight"))).toContain(
      '"h.9.attn.c_attn.weight"',
    );
  });

  it("copies of a checkpoint directory load identically (no absolute paths baked in)", () => {
    const dir = tinyDir("smollm2");
    const copy = dirs.dir("copy");
    for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(dir, f), join(copy, f));
    expect(loadCheckpoint(copy).tensors.get("norm.weight")).toEqual(
      loadCheckpoint(dir).tensors.get("norm.weight"),
    );
  });
});
