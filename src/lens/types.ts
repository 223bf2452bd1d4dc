/**
 * The normalised model description every part of the lens runtime works from:
 * `ModelConfig` (parsed once from HF `config.json`, both transformers-4 and -5
 * spellings, by config.ts) and `TensorStore` (the checkpoint's tensors under
 * canonical names, as f32). The reference forward, the ONNX graph builders and
 * the runtime all read these and nothing else, so per-architecture quirks are
 * resolved in one place (the loader), not in flags sprinkled through forwards.
 *
 * Canonical tensor names are HF's names with the wrapper prefixes stripped
 * (`model.`, `model.language_model.`, `language_model.model.`, `transformer.`):
 * e.g. `embed_tokens.weight`, `layers.3.self_attn.q_proj.weight`, `norm.weight`,
 * `lm_head.weight` (for GPT-2: `wte.weight`, `h.3.attn.c_attn.weight`, `ln_f.weight`).
 * A tied head is resolved by the loader: `lm_head.weight` is always present.
 */

export type Architecture = "gpt2" | "llama" | "qwen2" | "qwen3" | "gemma2" | "gemma3" | "gemma4";

export type StorageDtype = "f32" | "f16" | "bf16";

export interface RopeConfig {
  theta: number;
  /** "default" | "linear" | "llama3" | "proportional" (others rejected with a clear error) */
  type: "default" | "linear" | "llama3" | "proportional";
  factor?: number;
  /** proportional (Gemma 4 global layers): the share of head_dim/2 frequency pairs that rotate */
  partialRotaryFactor?: number;
  lowFreqFactor?: number;
  highFreqFactor?: number;
  originalMaxPositions?: number;
}

export interface ModelConfig {
  arch: Architecture;
  /** HF `model_type` as written in config.json (e.g. "llama" for SmolLM2, "gemma3_text") */
  modelType: string;
  nLayers: number;
  dModel: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  dMlp: number;
  vocabSize: number;
  maxPositions: number;
  normEps: number;
  /** layernorm (GPT-2), rmsnorm `x·w` (Llama/Qwen), rmsnorm `x·(1+w)` (Gemma 2/3) */
  norm: "layernorm" | "rmsnorm" | "rmsnorm_plus_one";
  act: "gelu_tanh" | "gelu" | "silu";
  /** gated MLP (down(act(gate(x)) * up(x))) vs plain (GPT-2) */
  gatedMlp: boolean;
  /** q/k/v projections carry a bias (Qwen2, GPT-2) */
  qkvBias: boolean;
  /** o_proj / MLP biases (GPT-2) */
  outBias: boolean;
  /** per-head RMSNorm on q and k before RoPE (Qwen3, Gemma 3) */
  qkNorm: boolean;
  /** Gemma's post-attention and post-feedforward norms (sandwich) */
  postNorms: boolean;
  /** learned absolute positions (GPT-2) instead of RoPE */
  absolutePositions: boolean;
  /** RoPE for global (full-attention) layers; null for GPT-2 */
  rope: RopeConfig | null;
  /** RoPE for sliding-window layers when it differs (Gemma 3's local base) */
  ropeLocal: RopeConfig | null;
  /** multiplies the embedding output (Gemma: √d rounded to the weight dtype; else 1) */
  embedScale: number;
  /** multiplies q·k (1/√headDim, or query_pre_attn_scalar^-0.5 for Gemma) */
  attnScale: number;
  attnSoftcap: number | null;
  finalSoftcap: number | null;
  /** window size for sliding layers, null when none */
  slidingWindow: number | null;
  /** per layer: "full" or "sliding" attention */
  layerTypes: ("full" | "sliding")[];
  tiedEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  /** dtype the weights are stored in on disk */
  storageDtype: StorageDtype;
  /** Gemma 4's per-layer shapes, KV sharing and per-layer embeddings; absent for other archs */
  gemma4?: Gemma4Config;
}

/**
 * What Gemma 4 adds (ARCHITECTURES.md §1.2–1.3). Per-layer arrays are indexed by layer.
 * `headDim`/`dMlp` of ModelConfig are the sliding layers' and the non-shared layers' values.
 */
export interface Gemma4Config {
  /** head_dim per layer: `global_head_dim` on full layers, `head_dim` on sliding ones */
  headDims: number[];
  /** MLP width per layer (double on KV-shared layers when `use_double_wide_mlp`) */
  dMlps: number[];
  /** the layer whose K/V each layer attends over: itself, or the last non-shared layer of its type */
  kvSource: number[];
  /** per-layer embeddings; null when `hidden_size_per_layer_input` is 0/absent */
  ple: { dim: number; vocabSize: number; embedScale: number } | null;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** The checkpoint's tensors, by canonical name, converted to f32 on read. */
export interface TensorStore {
  has(name: string): boolean;
  /** throws a SeigeError("config_error") naming the tensor and the file when missing */
  get(name: string): Tensor;
  names(): string[];
  /**
   * Rows of a tensor along its first axis, read without decoding the whole tensor
   * (a checkpoint reads them by file offset). Optional: `gatherRows` (checkpoint.ts)
   * falls back to slicing `get(name)`.
   */
  rows?(name: string, rows: readonly number[]): Float32Array;
}
