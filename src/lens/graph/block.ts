/**
 * A whole decoder block as one ONNX graph: the attention half, the residual add,
 * the MLP half and its residual add, for steps where nobody reads or writes
 * `hook_attn_out`, `hook_resid_mid` or `hook_mlp_out` of this block. Half as many
 * ORT runs per block, and two [B,T,D] tensors fewer through TypeScript: on a small
 * model a decode step is mostly per-run overhead (docs/speed.md).
 *
 * Inputs are the attention half's (attention.ts). Outputs: `x_out` [B,T,D] =
 * resid_mid + mlp_out (block output before Gemma 4's PLE and layer scalar, which
 * stay in TS), and new_key/new_value as the attention half gives them.
 * The adds are f32 adds, as the engine's own; the result can still differ from the
 * split halves in the last bit where ORT fuses the add into the next norm
 * (test/lens/fused-block.test.ts measures it).
 */
import { GraphBuilder } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import { ATTN_INPUTS, attentionBody, attentionOutputs } from "./attention.js";
import { mlpBody } from "./mlp.js";
import type { AttnWeights, MlpWeights } from "./weights.js";

export const BLOCK_OUTPUT = "x_out";

export function buildBlock(
  cfg: ModelConfig,
  attn: AttnWeights,
  mlp: MlpWeights,
  layer: number,
): GraphBuilder {
  const g = new GraphBuilder(`block${layer}`);
  const x = g.input(ATTN_INPUTS.x, ["B", "T", cfg.dModel]);
  const a = attentionBody(g, cfg, attn, x);
  const mid = g.op("Add", [x, a.out]);
  const post = g.op("Add", [mid, mlpBody(g, cfg, mlp, mid)]);
  g.output(post, BLOCK_OUTPUT, ["B", "T", cfg.dModel]);
  attentionOutputs(g, cfg, attn, a);
  return g;
}
