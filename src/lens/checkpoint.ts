/**
 * Loads a HuggingFace checkpoint directory into `{config, tensors}`: config.json
 * parsed once (config.ts), safetensors opened lazily (single file or sharded
 * index), tensor names mapped to canonical names (wrapper prefixes stripped),
 * the tied head resolved so `lm_head.weight` always exists, and — before anything
 * uses a weight — every tensor the architecture needs checked present with the
 * shape the config implies (like nanoGPT's loader asserting each shape before it
 * copies). Errors name the tensor, the file and the expected and actual shape.
 *
 * Deliberately not here: the tokenizer (tokenizer.ts) and any maths. Tensors are
 * decoded to f32 on first `get` and kept, since the reference forward and the graph
 * builders each read every weight; pass `{cache: false}` to read afresh each time.
 * Reads are lazy, so the files must not change while a checkpoint is in use.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SeigeError } from "../util/errors.js";
import { dMlpOf, headDimOf, kvSourceOf, parseConfig } from "./config.js";
import { SafetensorsSet } from "./safetensors.js";
import type { ModelConfig, StorageDtype, Tensor, TensorStore } from "./types.js";

export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  tensors: TensorStore;
}

function fail(message: string): never {
  throw new SeigeError("config_error", message);
}

/** Wrapper prefixes, longest first (ARCHITECTURES.md §2.0). */
const PREFIXES = [
  "model.language_model.",
  "language_model.model.",
  "language_model.",
  "model.",
  "transformer.",
];

/** Tensors of multimodal wrappers and buffers that the text model never reads. */
const IGNORED = [
  /^(model\.)?(vision_tower|vision_model|multi_modal_projector|audio_tower|embed_vision|embed_audio)\./,
  /\.attn\.(masked_)?bias$/,
];

export function canonicalName(raw: string): string {
  for (const p of PREFIXES) if (raw.startsWith(p)) return raw.slice(p.length);
  return raw;
}

/** The embedding matrix's canonical name (the tied head's source). */
export function embedName(config: ModelConfig): string {
  return config.arch === "gpt2" ? "wte.weight" : "embed_tokens.weight";
}

/** Every tensor the architecture reads, with the shape the config implies. */
export function expectedTensors(c: ModelConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const d = c.dModel;
  if (c.arch === "gpt2") {
    m.set("wte.weight", [c.vocabSize, d]);
    m.set("wpe.weight", [c.maxPositions, d]);
    for (let i = 0; i < c.nLayers; i++) {
      const p = `h.${i}.`;
      for (const ln of ["ln_1", "ln_2"]) {
        m.set(`${p}${ln}.weight`, [d]);
        m.set(`${p}${ln}.bias`, [d]);
      }
      // GPT-2 Conv1D stores [in, out].
      m.set(`${p}attn.c_attn.weight`, [d, 3 * d]);
      m.set(`${p}attn.c_attn.bias`, [3 * d]);
      m.set(`${p}attn.c_proj.weight`, [d, d]);
      m.set(`${p}attn.c_proj.bias`, [d]);
      m.set(`${p}mlp.c_fc.weight`, [d, c.dMlp]);
      m.set(`${p}mlp.c_fc.bias`, [c.dMlp]);
      m.set(`${p}mlp.c_proj.weight`, [c.dMlp, d]);
      m.set(`${p}mlp.c_proj.bias`, [d]);
    }
    m.set("ln_f.weight", [d]);
    m.set("ln_f.bias", [d]);
  } else {
    m.set("embed_tokens.weight", [c.vocabSize, d]);
    const ple = c.gemma4?.ple;
    if (ple) {
      const width = c.nLayers * ple.dim;
      m.set("embed_tokens_per_layer.weight", [ple.vocabSize, width]);
      m.set("per_layer_model_projection.weight", [width, d]);
      m.set("per_layer_projection_norm.weight", [ple.dim]);
    }
    for (let i = 0; i < c.nLayers; i++) {
      const p = `layers.${i}.`;
      const hd = headDimOf(c, i);
      const q = c.nHeads * hd;
      const kv = c.nKvHeads * hd;
      // Gemma 4's KV-shared layers own no k/v weights (HF ignores them if present).
      const ownsKv = kvSourceOf(c, i) === i;
      const dMlp = dMlpOf(c, i);
      m.set(`${p}input_layernorm.weight`, [d]);
      m.set(`${p}post_attention_layernorm.weight`, [d]);
      if (c.postNorms) {
        m.set(`${p}pre_feedforward_layernorm.weight`, [d]);
        m.set(`${p}post_feedforward_layernorm.weight`, [d]);
      }
      m.set(`${p}self_attn.q_proj.weight`, [q, d]);
      if (ownsKv) {
        m.set(`${p}self_attn.k_proj.weight`, [kv, d]);
        m.set(`${p}self_attn.v_proj.weight`, [kv, d]);
      }
      m.set(`${p}self_attn.o_proj.weight`, [d, q]);
      if (c.qkvBias) {
        m.set(`${p}self_attn.q_proj.bias`, [q]);
        m.set(`${p}self_attn.k_proj.bias`, [kv]);
        m.set(`${p}self_attn.v_proj.bias`, [kv]);
      }
      if (c.qkNorm) {
        m.set(`${p}self_attn.q_norm.weight`, [hd]);
        if (ownsKv) m.set(`${p}self_attn.k_norm.weight`, [hd]);
      }
      m.set(`${p}mlp.gate_proj.weight`, [dMlp, d]);
      m.set(`${p}mlp.up_proj.weight`, [dMlp, d]);
      m.set(`${p}mlp.down_proj.weight`, [d, dMlp]);
      if (ple) {
        m.set(`${p}per_layer_input_gate.weight`, [ple.dim, d]);
        m.set(`${p}per_layer_projection.weight`, [d, ple.dim]);
        m.set(`${p}post_per_layer_input_norm.weight`, [d]);
      }
      if (c.gemma4) m.set(`${p}layer_scalar`, [1]);
    }
    m.set("norm.weight", [d]);
  }
  m.set("lm_head.weight", [c.vocabSize, d]);
  return m;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Finds the weights: a sharded index, `model.safetensors`, or the only `.safetensors` file. */
function openWeights(dir: string): SafetensorsSet {
  const index = join(dir, "model.safetensors.index.json");
  if (existsSync(index)) return SafetensorsSet.open(index);
  const single = join(dir, "model.safetensors");
  if (existsSync(single)) return SafetensorsSet.open(single);
  const any = readdirSync(dir).filter((f) => f.endsWith(".safetensors"));
  if (any.length === 1) return SafetensorsSet.open(join(dir, any[0]));
  if (readdirSync(dir).some((f) => f.endsWith(".bin") || f.endsWith(".pth"))) {
    fail(
      `${dir}: only PyTorch .bin weights found; convert them to safetensors (model.safetensors)`,
    );
  }
  return fail(`${dir}: no model.safetensors or model.safetensors.index.json`);
}

export interface LoadCheckpointOptions {
  /** keep decoded tensors after the first read (default true) */
  cache?: boolean;
}

/** Loads and validates a checkpoint directory. Throws `config_error` with a precise message on any problem. */
export function loadCheckpoint(dir: string, opts: LoadCheckpointOptions = {}): Checkpoint {
  if (!existsSync(dir)) fail(`${dir}: no such checkpoint directory`);
  const configPath = join(dir, "config.json");
  if (!existsSync(configPath))
    fail(`${dir}: no config.json; a HuggingFace checkpoint directory needs one`);
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(readFileSync(configPath, "utf8"));
  } catch {
    return fail(`${configPath}: not valid JSON`);
  }
  // Parse once to learn the architecture, then again with the dtype the weights really use.
  const weights = openWeights(dir);
  const byCanonical = new Map<string, string>();
  for (const raw of weights.names()) {
    if (IGNORED.some((re) => re.test(raw))) continue;
    byCanonical.set(canonicalName(raw), raw);
  }
  const first = parseConfig(rawConfig);
  const embedRaw = byCanonical.get(embedName(first));
  const storageDtype: StorageDtype = embedRaw ? weights.entry(embedRaw)!.dtype : first.storageDtype;
  const config = parseConfig(rawConfig, { storageDtype });

  // The tied head reads the embedding (ARCHITECTURES.md §2.0).
  if (config.tiedEmbeddings || !byCanonical.has("lm_head.weight")) {
    const e = byCanonical.get(embedName(config));
    if (e !== undefined) byCanonical.set("lm_head.weight", e);
  }
  for (const [name, shape] of expectedTensors(config)) {
    const raw = byCanonical.get(name);
    if (raw === undefined) {
      fail(
        `${dir}: tensor "${name}" is missing from ${weights.files.map((f) => f.path).join(", ")} (model_type ${config.modelType}, ${config.nLayers} layers)`,
      );
    }
    const actual = weights.entry(raw)!.shape;
    if (!sameShape(actual, shape)) {
      fail(
        `${weights.fileOf(raw)}: tensor "${raw}" has shape [${actual.join(", ")}], expected [${shape.join(", ")}] from config.json`,
      );
    }
  }
  const keep = opts.cache ?? true;
  const decoded = new Map<string, Tensor>();
  const tensors: TensorStore = {
    has: (name) => byCanonical.has(name),
    names: () => [...byCanonical.keys()],
    get(name) {
      const hit = decoded.get(name);
      if (hit) return hit;
      const raw = byCanonical.get(name);
      if (raw === undefined)
        fail(`${dir}: no tensor "${name}" in ${weights.files.map((f) => f.path).join(", ")}`);
      const t = weights.read(raw);
      if (keep) decoded.set(name, t);
      return t;
    },
    rows(name, rows) {
      // A table already decoded (tied embeddings, read whole for the unembedding) is
      // gathered in memory; others row by row from disk, never held whole.
      const hit = decoded.get(name);
      if (hit) return rowsOf(hit, name, rows);
      const raw = byCanonical.get(name);
      if (raw === undefined) fail(`${dir}: no tensor "${name}"`);
      return weights.readRows(raw, rows);
    },
  };
  return { dir, config, tensors };
}

/** Rows `rows` of tensor `name` ([rows.length, width]): by offset where the store can, else sliced from the whole tensor. */
export function gatherRows(t: TensorStore, name: string, rows: readonly number[]): Float32Array {
  return t.rows ? t.rows(name, rows) : rowsOf(t.get(name), name, rows);
}

/** Rows of an in-memory tensor along its first axis. */
function rowsOf(x: Tensor, name: string, rows: readonly number[]): Float32Array {
  const width = x.data.length / x.shape[0];
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= x.shape[0])
      fail(`row ${r} of "${name}" is outside [0, ${x.shape[0]})`);
    out.set(x.data.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/** A TensorStore over in-memory tensors (tests, and graph builders before a checkpoint exists). */
export function memoryTensorStore(map: Map<string, Tensor>): TensorStore {
  return {
    has: (name) => map.has(name),
    names: () => [...map.keys()],
    get(name) {
      const t = map.get(name);
      if (t === undefined) fail(`no tensor "${name}" in the in-memory store`);
      return t;
    },
  };
}
