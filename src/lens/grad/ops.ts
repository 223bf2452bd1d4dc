/**
 * Backward rules as ONNX subgraphs (../shared/lens/GRADIENTS.md), for graphs that
 * recompute a half-block's forward and then run its backward. onnxruntime-node
 * cannot load gradient kernels (SoftmaxGrad, GeluGrad, … are not registered), so
 * every rule here is written in standard opset-17 ops: MatMul, Gemm, Mul, Add,
 * Sub, ReduceMean, ReduceSum, Tanh, Erf, Exp, Sigmoid, Slice, Concat.
 *
 * Tensors here are 2-D `[T, width]` (one sequence; the grad path is unbatched),
 * except the per-head pieces, which keep their `[T, heads, hd]` shape. A weight
 * is baked in once and read by both the forward MatMul (`x·W`) and the backward
 * Gemm (`dY·Wᵀ` via `transB`), so a grad graph holds one copy of each matrix.
 *
 * Not here: the forward-only graphs (graph/), the loss (loss.ts), the walk down
 * the residual stream (backward.ts).
 */

import type { Mat, NormWeights } from "../graph/weights.js";
import { type GraphBuilder, int, ints } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";

/** A linear layer whose weight is baked once: `fwd(x) = x·W (+b)`, `bwd(dy) = dy·Wᵀ`. */
export interface Linear {
  fwd(x: string): string;
  bwd(dy: string): string;
}

export function linear(
  g: GraphBuilder,
  w: Mat,
  bias: Float32Array | undefined,
  hint: string,
): Linear {
  const wName = g.weight(`${hint}_w`, w.data, [w.rows, w.cols]);
  const bName = bias ? g.weight(`${hint}_b`, bias, [bias.length]) : undefined;
  return {
    fwd: (x) => {
      const y = g.op("MatMul", [x, wName]);
      return bName ? g.op("Add", [y, bName]) : y;
    },
    // Gemm needs 2-D operands; the grad graphs keep activations 2-D for that reason.
    bwd: (dy) => g.op("Gemm", [dy, wName], { transB: int(1) }),
  };
}

/** The config's norm over the last axis, keeping what its backward needs. */
export interface Norm {
  y: string;
  bwd(dy: string): string;
}

export function norm(
  g: GraphBuilder,
  cfg: ModelConfig,
  x: string,
  w: NormWeights,
  hint: string,
): Norm {
  const dim = w.weight.length;
  const gain = g.weight(`${hint}_w`, w.weight, [dim]);
  const mean = (t: string) => g.op("ReduceMean", [t], { axes: ints([-1]), keepdims: int(1) });
  const eps = g.scalar(cfg.normEps);
  if (cfg.norm === "layernorm") {
    // x̂ = (x−μ)·r; dx = r·(u − mean(u) − x̂·mean(u·x̂)), u = g·dy
    const xc = g.op("Sub", [x, mean(x)]);
    const r = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [mean(g.op("Mul", [xc, xc])), eps])])]);
    const xhat = g.op("Mul", [xc, r]);
    const bias = g.weight(`${hint}_b`, w.bias ?? new Float32Array(dim), [dim]);
    return {
      y: g.op("Add", [g.op("Mul", [xhat, gain]), bias]),
      bwd: (dy) => {
        const u = g.op("Mul", [dy, gain]);
        const inner = g.op("Sub", [
          g.op("Sub", [u, mean(u)]),
          g.op("Mul", [xhat, mean(g.op("Mul", [u, xhat]))]),
        ]);
        return g.op("Mul", [r, inner]);
      },
    };
  }
  // RMSNorm (Gemma's 1+w already folded into w): dx = r·u − x·r³·mean(x·u)
  const r = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [mean(g.op("Mul", [x, x])), eps])])]);
  return {
    y: g.op("Mul", [g.op("Mul", [x, r]), gain]),
    bwd: (dy) => {
      const u = g.op("Mul", [dy, gain]);
      const r3 = g.op("Mul", [g.op("Mul", [r, r]), r]);
      const corr = g.op("Mul", [g.op("Mul", [x, r3]), mean(g.op("Mul", [x, u]))]);
      return g.op("Sub", [g.op("Mul", [r, u]), corr]);
    },
  };
}

/** d act(x)/dx for the config's activation, elementwise. */
export function activationDerivative(g: GraphBuilder, cfg: ModelConfig, x: string): string {
  const c = (v: number) => g.scalar(v);
  switch (cfg.act) {
    case "silu": {
      // σ·(1 + x·(1−σ))
      const s = g.op("Sigmoid", [x]);
      return g.op("Mul", [s, g.op("Add", [c(1), g.op("Mul", [x, g.op("Sub", [c(1), s])])])]);
    }
    case "gelu": {
      // Φ(x) + x·φ(x)
      const cdf = g.op("Mul", [
        c(0.5),
        g.op("Add", [c(1), g.op("Erf", [g.op("Mul", [x, c(Math.SQRT1_2)])])]),
      ]);
      const pdf = g.op("Mul", [
        g.op("Exp", [g.op("Mul", [g.op("Mul", [x, x]), c(-0.5)])]),
        c(1 / Math.sqrt(2 * Math.PI)),
      ]);
      return g.op("Add", [cdf, g.op("Mul", [x, pdf])]);
    }
    case "gelu_tanh": {
      // 0.5(1+t) + 0.5·x·(1−t²)·k·(1 + 3·0.044715·x²), t = tanh(k(x + 0.044715x³))
      const k = Math.sqrt(2 / Math.PI);
      const x2 = g.op("Mul", [x, x]);
      const inner = g.op("Mul", [
        g.op("Add", [x, g.op("Mul", [g.op("Mul", [x2, x]), c(0.044715)])]),
        c(k),
      ]);
      const t = g.op("Tanh", [inner]);
      const sech2 = g.op("Sub", [c(1), g.op("Mul", [t, t])]);
      const dinner = g.op("Mul", [g.op("Add", [c(1), g.op("Mul", [x2, c(3 * 0.044715)])]), c(k)]);
      return g.op("Add", [
        g.op("Mul", [c(0.5), g.op("Add", [c(1), t])]),
        g.op("Mul", [g.op("Mul", [g.op("Mul", [x, c(0.5)]), sech2]), dinner]),
      ]);
    }
  }
}

/** `cap·tanh(s/cap)` and the factor `1 − tanh²(s/cap)` its backward multiplies by. */
export function softcap(g: GraphBuilder, s: string, cap: number): { y: string; dfactor: string } {
  const t = g.op("Tanh", [g.op("Div", [s, g.scalar(cap)])]);
  return {
    y: g.op("Mul", [t, g.scalar(cap)]),
    dfactor: g.op("Sub", [g.scalar(1), g.op("Mul", [t, t])]),
  };
}

/**
 * RoPE backward on `[T, heads, hd]`: `dq = dq'·cos + rotᵀ(dq'·sin)` with
 * `rotᵀ(u) = concat(u₂, −u₁)` (the transpose of HF's rotate_half).
 */
export function ropeBackward(
  g: GraphBuilder,
  dy: string,
  cos: string,
  sin: string,
  hd: number,
): string {
  const half = hd / 2;
  const axis = g.ints([-1]);
  const u = g.op("Mul", [dy, sin]);
  const u1 = g.op("Slice", [u, g.ints([0]), g.ints([half]), axis]);
  const u2 = g.op("Slice", [u, g.ints([half]), g.ints([hd]), axis]);
  const rotT = g.op("Concat", [u2, g.op("Neg", [u1])], { axis: int(-1) });
  return g.op("Add", [g.op("Mul", [dy, cos]), rotT]);
}

/** Softmax backward along the last axis: `dS = P ⊙ (dP − Σ(dP ⊙ P))`. */
export function softmaxBackward(g: GraphBuilder, p: string, dp: string): string {
  const dot = g.op("ReduceSum", [g.op("Mul", [dp, p]), g.ints([-1])], { keepdims: int(1) });
  return g.op("Mul", [p, g.op("Sub", [dp, dot])]);
}
