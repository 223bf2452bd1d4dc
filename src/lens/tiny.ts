/**
 * `make-tiny`: writes a tiny random checkpoint in HuggingFace layout for any of the
 * seven `--arch` spellings — config.json with HF's own field names and values
 * (every field written, nothing left to defaults), model.safetensors with every
 * tensor HF expects under HF's names (an untied `lm_head.weight` only where
 * `tie_word_embeddings` is false), a small byte-level BPE tokenizer.json,
 * tokenizer_config.json with the family's chat template, and
 * generation_config.json. Tests, demos and benchmarks build on these.
 *
 * Weights are seeded normals from `Rng` (one child stream per tensor, so adding a
 * tensor never shifts another), scaled so activations stay O(1): projections
 * 1/√fan_in, tied embeddings 1/√d (so the tied head's logits are O(1); Gemma's √d
 * scale brings its rows back to O(1)), untied ones 1, norm weights near their
 * neutral value with some noise so a wrong norm formula shows up in tests.
 *
 * Not a trained model; its outputs are noise. Weights are written tensor by tensor
 * so Qwen2.5-0.5B-sized random checkpoints (for benchmarks) fit in memory.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SeigeError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { canonicalName, expectedTensors } from "./checkpoint.js";
import { parseConfig } from "./config.js";
import { stringifyHfConfig } from "./hf-json.js";
import { encode } from "./safetensors.js";
import { type MakeTinyOptions, TINY_ARCHS, type TinyArch, tinyConfigJson } from "./tiny-config.js";
import { makeTinyTokenizer, type TokenizerFamily } from "./tiny-tokenizer.js";
import type { ModelConfig } from "./types.js";

export { type MakeTinyOptions, TINY_ARCHS, type TinyArch, tinyConfigJson } from "./tiny-config.js";

export interface TinyCheckpoint {
  dir: string;
  config: ModelConfig;
  /** the raw config.json object written */
  configJson: Record<string, unknown>;
}

const FAMILY: Record<TinyArch, TokenizerFamily> = {
  llama: "llama3",
  qwen2: "chatml",
  qwen3: "chatml",
  smollm2: "chatml",
  gpt2: "gpt2",
  gemma2: "gemma",
  gemma3: "gemma",
  // Gemma 4's own turn markers differ; the tiny tokenizer reuses Gemma's template.
  gemma4: "gemma",
};

/** HF's on-disk name for a canonical tensor name. */
function hfName(arch: TinyArch, canonical: string): string {
  if (canonical === "lm_head.weight") return canonical;
  return arch === "gpt2" ? `transformer.${canonical}` : `model.${canonical}`;
}

/** Random values for one tensor, scaled per role so activations stay O(1). */
function initTensor(name: string, shape: number[], c: ModelConfig, rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const normal = (std: number, mean = 0) => {
    for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
    return out;
  };
  const isNorm = /(layernorm|norm|ln_\d|ln_f)\.weight$/.test(name);
  if (isNorm) return c.norm === "rmsnorm_plus_one" ? normal(0.1) : normal(0.1, 1);
  if (name.endsWith(".bias")) return normal(0.1);
  if (name === "wpe.weight") return normal(0.3);
  // Gemma 4: a layer_scalar near 1 keeps the residual O(1); the PLE table's √P scale brings rows to O(1).
  if (name.endsWith("layer_scalar")) return normal(0.1, 0.9);
  if (name === "embed_tokens_per_layer.weight") return normal(1 / Math.sqrt(shape[1] / c.nLayers));
  if (name === "wte.weight" || name === "embed_tokens.weight") {
    // A tied head reads these rows too: 1/√d keeps logits O(1) (a larger embedding makes
    // every token predict itself with a huge logit). Gemma's √d scale brings its rows back to O(1).
    return normal(c.tiedEmbeddings ? 1 / Math.sqrt(c.dModel) : 1);
  }
  // [out, in] for nn.Linear, [in, out] for GPT-2's Conv1D: fan_in is the input side.
  const fanIn = c.arch === "gpt2" && name !== "lm_head.weight" ? shape[0] : shape[shape.length - 1];
  return normal(1 / Math.sqrt(fanIn));
}

/** Writes the checkpoint; returns the parsed config as the loader will see it. */
export function makeTinyCheckpoint(o: MakeTinyOptions): TinyCheckpoint {
  if (!(TINY_ARCHS as readonly string[]).includes(o.arch)) {
    throw new SeigeError(
      "validation_error",
      `make-tiny: unknown --arch "${o.arch}"; use one of ${TINY_ARCHS.join(", ")}`,
    );
  }
  const dtype = o.dtype ?? "f32";
  const tok = makeTinyTokenizer(FAMILY[o.arch], o.maxPositions ?? 256);
  const configJson = tinyConfigJson(o, tok);
  const config = parseConfig(configJson, { storageDtype: dtype });
  mkdirSync(o.outDir, { recursive: true });
  const rng = new Rng(o.seed ?? 0);

  const shapes = expectedTensors(config);
  if (config.tiedEmbeddings) shapes.delete("lm_head.weight");
  // Header first (offsets are known from shapes), then each tensor streamed to disk.
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const bytesPer = dtype === "f32" ? 4 : 2;
  let offset = 0;
  const order = [...shapes.keys()].sort();
  for (const name of order) {
    const size = shapes.get(name)!.reduce((a, b) => a * b, 1) * bytesPer;
    header[hfName(o.arch, name)] = {
      dtype: dtype === "f32" ? "F32" : "BF16",
      shape: shapes.get(name),
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const fd = openSync(join(o.outDir, "model.safetensors"), "w");
  try {
    writeSync(fd, len);
    writeSync(fd, Buffer.from(json, "utf8"));
    for (const name of order) {
      if (canonicalName(hfName(o.arch, name)) !== name)
        throw new Error(`make-tiny: name ${name} does not round-trip`);
      const data = initTensor(name, shapes.get(name)!, config, rng.child(name));
      writeSync(fd, encode(data, dtype));
    }
  } finally {
    closeSync(fd);
  }
  const write = (file: string, value: unknown) =>
    writeFileSync(join(o.outDir, file), `${JSON.stringify(value, null, 2)}\n`);
  // Float-typed fields keep their decimal point (HF 5.x rejects `30` for a float field).
  writeFileSync(join(o.outDir, "config.json"), `${stringifyHfConfig(configJson)}\n`);
  write("tokenizer.json", tok.tokenizerJson);
  write("tokenizer_config.json", tok.tokenizerConfig);
  write("generation_config.json", {
    bos_token_id: tok.bosTokenId,
    eos_token_id: configJson.eos_token_id,
    pad_token_id: tok.padTokenId,
    transformers_version: configJson.transformers_version,
  });
  return { dir: o.outDir, config, configJson };
}
