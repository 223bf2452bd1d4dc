/**
 * Gemma 4's per-layer embeddings (PLE) as two kinds of graph (ARCHITECTURES.md §1.3):
 * - inputs: embed [B,T,D] (after `hook_embed`) and tok [B,T,L·P] (the token half,
 *   gathered from disk in TS by ple.ts) → ple [B,T,L,P] =
 *   (rms((embed @ Wpl) · D^-½ over each P-slice) + tok) · 2^-½;
 * - injection, one per layer: x [B,T,D] (resid_mid + mlp_out) and ple_l [B,T,P]
 *   → ple_out [B,T,D] = rms((gelu(x @ Wg) ⊙ ple_l) @ Wp), the `hook_ple_out`
 *   value; the residual add and `layer_scalar` happen in TS.
 */
import { GraphBuilder } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import { activation, linear, norm } from "./ops.js";
import type { PleInputWeights, PleLayerWeights } from "./weights.js";

export const PLE_INPUTS_IO = { embed: "embed", tok: "tok", out: "ple" } as const;
export const PLE_LAYER_IO = { x: "x", ple: "ple", out: "ple_out" } as const;

export function buildPleInputs(cfg: ModelConfig, w: PleInputWeights): GraphBuilder {
  const { dim } = cfg.gemma4!.ple!;
  const L = cfg.nLayers;
  const g = new GraphBuilder("ple_inputs");
  const embed = g.input(PLE_INPUTS_IO.embed, ["B", "T", cfg.dModel]);
  const tok = g.input(PLE_INPUTS_IO.tok, ["B", "T", L * dim]);
  const ctx = g.op("Mul", [
    linear(g, embed, w.proj, undefined, "pl_proj"),
    g.scalar(cfg.dModel ** -0.5),
  ]);
  const normed = norm(g, cfg, g.op("Reshape", [ctx, g.ints([0, 0, L, dim])]), w.norm, "pl_norm"); // [B,T,L,P]
  const mixed = g.op("Add", [normed, g.op("Reshape", [tok, g.ints([0, 0, L, dim])])]);
  g.output(g.op("Mul", [mixed, g.scalar(Math.SQRT1_2)]), PLE_INPUTS_IO.out, ["B", "T", L, dim]);
  return g;
}

export function buildPleLayer(cfg: ModelConfig, w: PleLayerWeights, layer: number): GraphBuilder {
  const { dim } = cfg.gemma4!.ple!;
  const g = new GraphBuilder(`ple${layer}`);
  const x = g.input(PLE_LAYER_IO.x, ["B", "T", cfg.dModel]);
  const ple = g.input(PLE_LAYER_IO.ple, ["B", "T", dim]);
  const gated = g.op("Mul", [activation(g, cfg, linear(g, x, w.gate, undefined, "pl_gate")), ple]);
  const out = norm(g, cfg, linear(g, gated, w.proj, undefined, "pl_out"), w.norm, "post_pl");
  g.output(out, PLE_LAYER_IO.out, ["B", "T", cfg.dModel]);
  return g;
}
