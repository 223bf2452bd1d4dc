/**
 * The two ends of the backward pass as ONNX graphs.
 *
 * - head: recomputes final norm → unembed → final soft-cap (Gemma 2) from the
 *   last block's resid_post and returns the logits together with the gradient at
 *   that resid_post for a loss whose logit gradient has the form
 *   `dlogits = α ⊙ softmax(logits) + β` (α [T,1], β [T,V] are inputs). That one
 *   form covers every loss head here: cross-entropy on target tokens is α = 1,
 *   β = −onehot on the predicting rows; a logit difference is α = 0,
 *   β = e_A − e_B on the last row. Doing the softmax in-graph keeps the
 *   [T,V] logits off the JS heap's critical path and the head matrix in one place.
 * - token: the gradient with respect to the one-hot token matrix (GCG), from the
 *   gradient at `hook_embed`: `d onehot = embedScale · dE · W_Eᵀ` ([T,D]·[D,V]).
 *
 * Not here: which loss is which (loss.ts).
 */

import type { EmbedWeights, UnembedWeights } from "../graph/weights.js";
import { GraphBuilder, int } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import { linear, norm, softcap } from "./ops.js";

export const HEAD_IO = {
  x: "x",
  alpha: "alpha",
  beta: "beta",
  logits: "logits",
  dx: "dx",
} as const;
export const TOKEN_IO = { dEmbed: "d_embed", dOneHot: "d_onehot" } as const;

export function buildHeadGrad(cfg: ModelConfig, w: UnembedWeights): GraphBuilder {
  const { dModel: d, vocabSize: v } = cfg;
  const g = new GraphBuilder("head_grad");
  const x = g.input(HEAD_IO.x, ["T", d]);
  const alpha = g.input(HEAD_IO.alpha, ["T", 1]);
  const beta = g.input(HEAD_IO.beta, ["T", v]);
  const ln = norm(g, cfg, x, w.norm, "ln_f");
  const head = linear(g, w.head, undefined, "lm_head");
  const raw = head.fwd(ln.y);
  const cap = cfg.finalSoftcap !== null ? softcap(g, raw, cfg.finalSoftcap) : null;
  const logits = cap ? cap.y : raw;
  const p = g.op("Softmax", [logits], { axis: int(-1) });
  let dl = g.op("Add", [g.op("Mul", [p, alpha]), beta]);
  if (cap) dl = g.op("Mul", [dl, cap.dfactor]);
  g.output(logits, HEAD_IO.logits, ["T", v]);
  g.output(ln.bwd(head.bwd(dl)), HEAD_IO.dx, ["T", d]);
  return g;
}

export function buildTokenGrad(cfg: ModelConfig, w: EmbedWeights): GraphBuilder {
  const g = new GraphBuilder("token_grad");
  const de = g.input(TOKEN_IO.dEmbed, ["T", cfg.dModel]);
  const table = g.weight("wte", w.tokens.data, w.tokens.shape); // [V, D]
  let out = g.op("Gemm", [de, table], { transB: int(1) }); // [T, V]
  if (cfg.embedScale !== 1) out = g.op("Mul", [out, g.scalar(cfg.embedScale)]);
  g.output(out, TOKEN_IO.dOneHot, ["T", cfg.vocabSize]);
  return g;
}
