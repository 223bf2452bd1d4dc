/**
 * The MLP half of a decoder block: norm → (gated or plain) MLP → Gemma's
 * post-feedforward norm. Input x [B,T,D] (resid_mid), output mlp_out [B,T,D];
 * the residual add resid_post = resid_mid + mlp_out happens in TS (or in the
 * whole block's graph, block.ts).
 */
import { GraphBuilder } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import { activation, linear, norm } from "./ops.js";
import type { MlpWeights } from "./weights.js";

export const MLP_INPUT = "x";
export const MLP_OUTPUT = "mlp_out";

export function buildMlp(cfg: ModelConfig, w: MlpWeights, layer: number): GraphBuilder {
  const g = new GraphBuilder(`mlp${layer}`);
  const x = g.input(MLP_INPUT, ["B", "T", cfg.dModel]);
  g.output(mlpBody(g, cfg, w, x), MLP_OUTPUT, ["B", "T", cfg.dModel]);
  return g;
}

/** The MLP half on `x` [B,T,D] inside `g`; returns mlp_out. */
export function mlpBody(g: GraphBuilder, cfg: ModelConfig, w: MlpWeights, x: string): string {
  const h = norm(g, cfg, x, w.norm, "ln2"); // [B,T,D]
  let hidden: string; // [B,T,dMlp]
  if (w.gate) {
    hidden = g.op("Mul", [
      activation(g, cfg, linear(g, h, w.gate, undefined, "gate")),
      linear(g, h, w.up, undefined, "up"),
    ]);
  } else {
    hidden = activation(g, cfg, linear(g, h, w.up, w.upBias, "fc"));
  }
  let out = linear(g, hidden, w.down, w.downBias, "down"); // [B,T,D]
  if (w.postNorm) out = norm(g, cfg, out, w.postNorm, "post_mlp");
  return out;
}
