/**
 * The attention half of a decoder block as one ONNX graph, for every
 * architecture (the differences are the config's flags and the weights).
 *
 * Inputs:  x [B,T,D] (resid_pre), past_key [B,Hkv,hd,C] (keys stored
 *          transposed, so scores read them in place) and past_value
 *          [B,Hkv,C,hd]: the engine's KV buffer at its full capacity C, unused
 *          columns masked; mask [B,1,1,T,C+T] (additive: 0 or -1e30; built in TS so
 *          causal, padding, unused columns and sliding windows are one
 *          tensor), head_mask [B,1,H,1], cos/sin [B,T,1,hd] (RoPE models).
 * Outputs: attn_out [B,T,D] (what is added to the residual, after Gemma's
 *          post-attention norm), new_key/new_value [B,Hkv,T,hd] (this step's
 *          keys and values only: the engine writes them into its buffer, so
 *          no step copies the whole cache out of ORT), z [B,T,H,hd]
 *          (`attn.hook_z`, after the head mask).
 *
 * Gemma 4's KV-shared layers (no k/v weights) take `shared_key`/`shared_value`
 * ([B,Hkv,hd,S] and [B,Hkv,S,hd]) instead of the past: their source layer's buffer with this
 * step's columns already written; they output no K/V of their own.
 * head_dim comes from the layer's q weight (Gemma 4's full layers are wider).
 *
 * GQA without repeat_kv: q is viewed as [B,Hkv,g,T,hd] and k/v as [B,Hkv,1,S,hd],
 * so MatMul broadcasting pairs query head h with KV head floor(h/g), as HF does.
 * The residual add is NOT here: resid_mid = resid_pre + attn_out happens in TS
 * so `hook_attn_out` and `hook_resid_mid` can be read and written, or in the whole
 * block's graph (block.ts), which builds on `attentionBody`.
 */
import { GraphBuilder, int, ints } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import { linear, norm, rope } from "./ops.js";
import type { AttnWeights } from "./weights.js";

export const ATTN_INPUTS = {
  x: "x",
  pastKey: "past_key",
  pastValue: "past_value",
  mask: "mask",
  headMask: "head_mask",
  cos: "cos",
  sin: "sin",
  sharedKey: "shared_key",
  sharedValue: "shared_value",
} as const;
export const ATTN_OUTPUTS = {
  out: "attn_out",
  key: "new_key",
  value: "new_value",
  z: "z",
} as const;

export function buildAttention(cfg: ModelConfig, w: AttnWeights, layer: number): GraphBuilder {
  const g = new GraphBuilder(`attn${layer}`);
  const x = g.input(ATTN_INPUTS.x, ["B", "T", cfg.dModel]);
  const a = attentionBody(g, cfg, w, x);
  g.output(a.out, ATTN_OUTPUTS.out, ["B", "T", cfg.dModel]);
  attentionOutputs(g, cfg, w, a);
  g.output(a.z, ATTN_OUTPUTS.z, ["B", "T", cfg.nHeads, w.q.cols / cfg.nHeads]);
  return g;
}

/** What the attention body leaves in its graph: attn_out, this step's K/V ("" when KV-shared), z. */
export interface AttentionValues {
  out: string;
  newK: string;
  newV: string;
  z: string;
}

/** Declares this step's keys and values as outputs (layers that own a KV cache). */
export function attentionOutputs(
  g: GraphBuilder,
  cfg: ModelConfig,
  w: AttnWeights,
  a: AttentionValues,
): void {
  if (!a.newK) return;
  const hd = w.q.cols / cfg.nHeads;
  g.output(a.newK, ATTN_OUTPUTS.key, ["B", cfg.nKvHeads, "T", hd]);
  g.output(a.newV, ATTN_OUTPUTS.value, ["B", cfg.nKvHeads, "T", hd]);
}

/**
 * The attention of one block on `x` [B,T,D] inside `g`: declares every input but x
 * (past or shared K/V, mask, head mask, cos/sin) and returns the values for the outputs.
 */
export function attentionBody(
  g: GraphBuilder,
  cfg: ModelConfig,
  w: AttnWeights,
  x: string,
): AttentionValues {
  const { nHeads: h, nKvHeads: kv } = cfg;
  const hd = w.q.cols / h;
  const group = h / kv;
  const owns = w.k !== undefined && w.v !== undefined;
  const pastK = owns
    ? g.input(ATTN_INPUTS.pastKey, ["B", kv, hd, "C"])
    : g.input(ATTN_INPUTS.sharedKey, ["B", kv, hd, "S"]);
  const pastV = owns
    ? g.input(ATTN_INPUTS.pastValue, ["B", kv, "C", hd])
    : g.input(ATTN_INPUTS.sharedValue, ["B", kv, "S", hd]);
  const mask = g.input(ATTN_INPUTS.mask, ["B", 1, 1, "T", "S"]);
  const headMask = g.input(ATTN_INPUTS.headMask, ["B", 1, h, 1]);
  const useRope = cfg.rope !== null;
  const cos = useRope ? g.input(ATTN_INPUTS.cos, ["B", "T", 1, hd]) : "";
  const sin = useRope ? g.input(ATTN_INPUTS.sin, ["B", "T", 1, hd]) : "";

  const a = norm(g, cfg, x, w.norm, "ln1"); // [B,T,D]
  const heads = (y: string, n: number, qkNorm: AttnWeights["qNorm"], hint: string): string => {
    let t = g.op("Reshape", [y, g.ints([0, 0, n, hd])]); // [B,T,n,hd]
    if (qkNorm) t = norm(g, cfg, t, qkNorm, `${hint}_norm`);
    if (useRope && hint !== "v") t = rope(g, t, cos, sin, hd);
    return g.op("Transpose", [t], { perm: ints([0, 2, 1, 3]) }); // [B,n,T,hd]
  };
  const q = heads(linear(g, a, w.q, w.qBias, "q"), h, w.qNorm, "q");
  const qg = g.op("Reshape", [q, g.ints([0, kv, group, -1, hd])]); // [B,Hkv,g,T,hd]
  const scale = (x: string): string => {
    let y = g.op("Mul", [x, g.scalar(cfg.attnScale)]);
    if (cfg.attnSoftcap !== null) {
      // Gemma 2: cap·tanh(s/cap) on the scaled scores, before the mask
      y = g.op("Mul", [
        g.op("Tanh", [g.op("Div", [y, g.scalar(cfg.attnSoftcap)])]),
        g.scalar(cfg.attnSoftcap),
      ]);
    }
    return y;
  };
  const unsq = (x: string): string => g.op("Unsqueeze", [x, g.ints([2])]); // [B,Hkv,1,…]
  // Scores against the cached keys, read where they lie (already [hd, C]: no copy).
  const sPast = scale(g.op("MatMul", [qg, unsq(pastK)])); // [B,Hkv,g,T,C]
  let newK = "";
  let newV = "";
  let o: string;
  if (w.k && w.v) {
    newK = heads(linear(g, a, w.k, w.kBias, "k"), kv, w.kNorm, "k"); // [B,Hkv,T,hd]
    newV = heads(linear(g, a, w.v, w.vBias, "v"), kv, w.vNorm, "v");
    const kT = unsq(g.op("Transpose", [newK], { perm: ints([0, 1, 3, 2]) })); // [B,Hkv,1,hd,T]
    const sNew = scale(g.op("MatMul", [qg, kT])); // [B,Hkv,g,T,T]
    // softmax over cache and new columns together; each part then weights its own values
    // (the cache is never concatenated with the new keys, so never copied)
    const scores = g.op("Concat", [sPast, sNew], { axis: int(-1) });
    const p = g.op("Softmax", [g.op("Add", [scores, mask])], { axis: int(-1) });
    const tNeg = g.op("Neg", [g.op("Shape", [x], { start: int(1), end: int(2) })]); // [−T]
    const axis = g.ints([-1]);
    const pPast = g.op("Slice", [p, g.ints([0]), tNeg, axis]);
    const pNew = g.op("Slice", [p, tNeg, g.ints([2 ** 31 - 1]), axis]);
    o = g.op("Add", [g.op("MatMul", [pPast, unsq(pastV)]), g.op("MatMul", [pNew, unsq(newV)])]); // [B,Hkv,g,T,hd]
  } else {
    const p = g.op("Softmax", [g.op("Add", [sPast, mask])], { axis: int(-1) });
    o = g.op("MatMul", [p, unsq(pastV)]);
  }
  const zRaw = g.op("Transpose", [g.op("Reshape", [o, g.ints([0, h, -1, hd])])], {
    perm: ints([0, 2, 1, 3]),
  }); // [B,T,H,hd]
  const z = g.op("Mul", [zRaw, headMask]);
  let out = linear(g, g.op("Reshape", [z, g.ints([0, 0, h * hd])]), w.o, w.oBias, "o"); // [B,T,D]
  if (w.postNorm) out = norm(g, cfg, out, w.postNorm, "post_attn");
  return { out, newK, newV, z };
}
