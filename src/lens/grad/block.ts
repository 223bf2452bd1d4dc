/**
 * Backward graphs for the two halves of a decoder block, one ONNX graph each,
 * beside the forward graphs (graph/attention.ts, graph/mlp.ts) and for the same
 * architectures and weights. Each graph takes the half-block's input `x` (the
 * residual stream the forward saw) and `dy`, the loss gradient arriving at the
 * half-block's output (`hook_attn_out` / `hook_mlp_out`); it recomputes the
 * forward internally (nothing but the residual stream is kept between passes,
 * so memory is O(layers·T·d)) and returns `dx`, the half-block's contribution
 * to the gradient at its input. The residual adds' identity paths are summed
 * in TypeScript (backward.ts), mirroring the forward engine.
 *
 * Attention inputs: x, dy [T,D]; mask [T,T] (additive, as the forward's);
 * cos/sin [T,1,hd] (RoPE models). Outputs: dx [T,D] and dz [T,H·hd], the
 * gradient at `attn.hook_z` (per-head attribution reads it).
 * One sequence, no KV cache: the grad path never decodes.
 */

import { SeigeError } from "../../util/errors.js";
import { activation, rope } from "../graph/ops.js";
import type { AttnWeights, MlpWeights } from "../graph/weights.js";
import { GraphBuilder, int, ints } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import {
  activationDerivative,
  linear,
  norm,
  ropeBackward,
  softcap,
  softmaxBackward,
} from "./ops.js";

export const GRAD_IO = {
  x: "x",
  dy: "dy",
  mask: "mask",
  cos: "cos",
  sin: "sin",
  dx: "dx",
  dz: "dz",
} as const;

const swapLast = ints([0, 1, 3, 2]);

export function buildAttentionGrad(cfg: ModelConfig, w: AttnWeights, layer: number): GraphBuilder {
  const { dModel: d, nHeads: h, nKvHeads: kv, headDim: hd } = cfg;
  const group = h / kv;
  const g = new GraphBuilder(`attn_grad${layer}`);
  const x = g.input(GRAD_IO.x, ["T", d]);
  const dy = g.input(GRAD_IO.dy, ["T", d]);
  const mask = g.input(GRAD_IO.mask, ["T", "T"]);
  const useRope = cfg.rope !== null;
  const cos = useRope ? g.input(GRAD_IO.cos, ["T", 1, hd]) : "";
  const sin = useRope ? g.input(GRAD_IO.sin, ["T", 1, hd]) : "";

  // ---- forward recompute
  const ln = norm(g, cfg, x, w.norm, "ln1");
  const lq = linear(g, w.q, w.qBias, "q");
  // Gemma 4's KV-shared layers attend over another layer's K/V: their backward
  // rule is not built (docs/lens-grad.md), so they are refused, never approximated.
  if (!w.k || !w.v)
    throw new SeigeError(
      "config_error",
      `gradients are not available for layer ${layer}: it shares another layer's K/V (Gemma 4)`,
    );
  const lk = linear(g, w.k, w.kBias, "k");
  const lv = linear(g, w.v, w.vBias, "v");
  const lo = linear(g, w.o, w.oBias, "o");
  const qNorm = w.qNorm;
  const kNorm = w.kNorm;
  // [T, n·hd] → [T, n, hd] → (q/k norm) → RoPE; the norms are kept for the backward.
  const headsOf = (y: string, n: number, nw: typeof qNorm, hint: string) => {
    const t = g.op("Reshape", [y, g.ints([-1, n, hd])]);
    const nn = nw ? norm(g, cfg, t, nw, `${hint}_norm`) : null;
    const normed = nn ? nn.y : t;
    return { nn, out: useRope && hint !== "v" ? rope(g, normed, cos, sin, hd) : normed };
  };
  const qh = headsOf(lq.fwd(ln.y), h, qNorm, "q");
  const kh = headsOf(lk.fwd(ln.y), kv, kNorm, "k");
  const vh = headsOf(lv.fwd(ln.y), kv, undefined, "v");
  const toHeadsFirst = (t: string) => g.op("Transpose", [t], { perm: ints([1, 0, 2]) });
  const qg = g.op("Reshape", [toHeadsFirst(qh.out), g.ints([kv, group, -1, hd])]); // [Hkv,G,T,hd]
  const k4 = g.op("Unsqueeze", [toHeadsFirst(kh.out), g.ints([1])]); // [Hkv,1,T,hd]
  const v4 = g.op("Unsqueeze", [toHeadsFirst(vh.out), g.ints([1])]);
  const scale = g.scalar(cfg.attnScale);
  const raw = g.op("Mul", [
    g.op("MatMul", [qg, g.op("Transpose", [k4], { perm: swapLast })]),
    scale,
  ]);
  const cap = cfg.attnSoftcap !== null ? softcap(g, raw, cfg.attnSoftcap) : null;
  const p = g.op("Softmax", [g.op("Add", [cap ? cap.y : raw, mask])], { axis: int(-1) });
  const o = g.op("MatMul", [p, v4]); // [Hkv,G,T,hd]
  const z = g.op("Reshape", [
    g.op("Transpose", [g.op("Reshape", [o, g.ints([h, -1, hd])])], { perm: ints([1, 0, 2]) }),
    g.ints([-1, h * hd]),
  ]);
  const pre = lo.fwd(z);
  const post = w.postNorm ? norm(g, cfg, pre, w.postNorm, "post_attn") : null;

  // ---- backward
  const dpre = post ? post.bwd(dy) : dy;
  const dz = lo.bwd(dpre); // [T, H·hd]
  const dO = g.op("Reshape", [
    toHeadsFirst(g.op("Reshape", [dz, g.ints([-1, h, hd])])),
    g.ints([kv, group, -1, hd]),
  ]);
  const dp = g.op("MatMul", [dO, g.op("Transpose", [v4], { perm: swapLast })]); // [Hkv,G,T,T]
  const sumGroups = (t: string) => g.op("ReduceSum", [t, g.ints([1])], { keepdims: int(0) });
  const dv = sumGroups(g.op("MatMul", [g.op("Transpose", [p], { perm: swapLast }), dO])); // [Hkv,T,hd]
  let ds = softmaxBackward(g, p, dp);
  if (cap) ds = g.op("Mul", [ds, cap.dfactor]);
  ds = g.op("Mul", [ds, scale]);
  const dq = g.op("Reshape", [g.op("MatMul", [ds, k4]), g.ints([h, -1, hd])]); // [H,T,hd]
  const dk = sumGroups(g.op("MatMul", [g.op("Transpose", [ds], { perm: swapLast }), qg]));
  const back = (dHeads: string, n: number, nn: ReturnType<typeof headsOf>["nn"], rot: boolean) => {
    let t = toHeadsFirst(dHeads); // [T, n, hd]
    if (rot) t = ropeBackward(g, t, cos, sin, hd);
    if (nn) t = nn.bwd(t);
    return g.op("Reshape", [t, g.ints([-1, n * hd])]);
  };
  const da = g.op("Add", [
    g.op("Add", [lq.bwd(back(dq, h, qh.nn, useRope)), lk.bwd(back(dk, kv, kh.nn, useRope))]),
    lv.bwd(back(dv, kv, null, false)),
  ]);
  g.output(ln.bwd(da), GRAD_IO.dx, ["T", d]);
  g.output(dz, GRAD_IO.dz, ["T", h * hd]);
  return g;
}

export function buildMlpGrad(cfg: ModelConfig, w: MlpWeights, layer: number): GraphBuilder {
  const d = cfg.dModel;
  const g = new GraphBuilder(`mlp_grad${layer}`);
  const x = g.input(GRAD_IO.x, ["T", d]);
  const dy = g.input(GRAD_IO.dy, ["T", d]);
  const ln = norm(g, cfg, x, w.norm, "ln2");
  const down = linear(g, w.down, w.downBias, "down");
  let pre: string;
  let dhidden: (dOut: string) => string;
  if (w.gate) {
    const gate = linear(g, w.gate, undefined, "gate");
    const up = linear(g, w.up, undefined, "up");
    const gt = gate.fwd(ln.y);
    const u = up.fwd(ln.y);
    const a = activation(g, cfg, gt);
    pre = down.fwd(g.op("Mul", [a, u]));
    dhidden = (dOut) => {
      const dHid = down.bwd(dOut);
      const dGate = g.op("Mul", [g.op("Mul", [dHid, u]), activationDerivative(g, cfg, gt)]);
      return g.op("Add", [gate.bwd(dGate), up.bwd(g.op("Mul", [dHid, a]))]);
    };
  } else {
    const fc = linear(g, w.up, w.upBias, "fc");
    const gt = fc.fwd(ln.y);
    pre = down.fwd(activation(g, cfg, gt));
    dhidden = (dOut) => fc.bwd(g.op("Mul", [down.bwd(dOut), activationDerivative(g, cfg, gt)]));
  }
  const post = w.postNorm ? norm(g, cfg, pre, w.postNorm, "post_mlp") : null;
  g.output(ln.bwd(dhidden(post ? post.bwd(dy) : dy)), GRAD_IO.dx, ["T", d]);
  return g;
}
