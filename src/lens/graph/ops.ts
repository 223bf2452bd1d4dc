/**
 * The graph-level building blocks shared by every architecture: linear layers,
 * the three norms, activations and half-split RoPE, each expressed in standard
 * ONNX opset-17 ops (MatMul, LayerNormalization, ReduceMean, Tanh, Erf, Sigmoid,
 * Slice, Concat) rather than com.microsoft contrib ops, so the same graphs run on
 * the CPU, CUDA and WebGPU execution providers (BACKEND.md, "contrib ops").
 * Every op works in f32, as HF does for norms and softmax.
 */

import { float, type GraphBuilder, int, ints } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import type { Mat, NormWeights } from "./weights.js";

/** x @ W (+ b), with W an `[in, out]` initializer. */
export function linear(
  g: GraphBuilder,
  x: string,
  w: Mat,
  bias: Float32Array | undefined,
  hint: string,
): string {
  const y = g.op("MatMul", [x, g.weight(`${hint}_w`, w.data, [w.rows, w.cols])]);
  return bias ? g.op("Add", [y, g.weight(`${hint}_b`, bias, [bias.length])]) : y;
}

/**
 * The config's norm over the last axis. RMSNorm is written out
 * (`x · 1/√(mean(x²)+eps) · w`) because RMSNormalization only arrives in opset 23
 * and not every EP has it; the Gemma `(1+w)` form was folded into `w` by weights.ts.
 */
export function norm(
  g: GraphBuilder,
  cfg: ModelConfig,
  x: string,
  w: NormWeights,
  hint: string,
): string {
  const dim = w.weight.length;
  if (cfg.norm === "layernorm") {
    return g.op(
      "LayerNormalization",
      [
        x,
        g.weight(`${hint}_w`, w.weight, [dim]),
        g.weight(`${hint}_b`, w.bias ?? new Float32Array(dim), [dim]),
      ],
      {
        axis: int(-1),
        epsilon: float(cfg.normEps),
      },
    );
  }
  const ms = g.op("ReduceMean", [g.op("Mul", [x, x])], { axes: ints([-1]), keepdims: int(1) });
  const inv = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [ms, g.scalar(cfg.normEps)])])]);
  return g.op("Mul", [g.op("Mul", [x, inv]), g.weight(`${hint}_w`, w.weight, [dim])]);
}

export function activation(g: GraphBuilder, cfg: ModelConfig, x: string): string {
  switch (cfg.act) {
    case "silu":
      return g.op("Mul", [x, g.op("Sigmoid", [x])]);
    case "gelu": {
      // exact GELU: 0.5·x·(1 + erf(x/√2))
      const e = g.op("Erf", [g.op("Mul", [x, g.scalar(Math.SQRT1_2)])]);
      return g.op("Mul", [g.op("Mul", [x, g.scalar(0.5)]), g.op("Add", [e, g.scalar(1)])]);
    }
    case "gelu_tanh": {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); Gelu-20's tanh mode is not on every EP
      const x3 = g.op("Mul", [g.op("Mul", [x, x]), x]);
      const inner = g.op("Mul", [
        g.op("Add", [x, g.op("Mul", [x3, g.scalar(0.044715)])]),
        g.scalar(Math.sqrt(2 / Math.PI)),
      ]);
      return g.op("Mul", [
        g.op("Mul", [x, g.scalar(0.5)]),
        g.op("Add", [g.op("Tanh", [inner]), g.scalar(1)]),
      ]);
    }
  }
}

/**
 * HF's half-split RoPE on `[B, T, heads, hd]`: `x·cos + rotate_half(x)·sin` with
 * `rotate_half(x) = cat(-x[hd/2:], x[:hd/2])`. cos/sin come in as graph inputs
 * `[B, T, 1, hd]` computed in TypeScript from each sequence's position ids, so
 * left padding, every RoPE scaling variant and per-layer-type bases need no
 * graph changes.
 */
export function rope(g: GraphBuilder, x: string, cos: string, sin: string, hd: number): string {
  const half = hd / 2;
  const axis = g.ints([-1]);
  const x1 = g.op("Slice", [x, g.ints([0]), g.ints([half]), axis]);
  const x2 = g.op("Slice", [x, g.ints([half]), g.ints([hd]), axis]);
  const rotated = g.op("Concat", [g.op("Neg", [x2]), x1], { axis: int(-1) });
  return g.op("Add", [g.op("Mul", [x, cos]), g.op("Mul", [rotated, sin])]);
}
