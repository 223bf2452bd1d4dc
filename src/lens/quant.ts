/**
 * Block quantisation of linear weights in the layout of ORT's contrib op
 * `com.microsoft.MatMulNBits` (BACKEND.md: 4-bit and 8-bit, `accuracy_level` 4):
 * for output column n and each block of `block` inputs along K, one f32 scale
 * and unsigned codes q with the op's default zero point 2^(bits−1), so a weight
 * is (q − 2^(bits−1))·scale. Symmetric: scale = max|w| / (2^(bits−1) − 1).
 * 4-bit codes pack two to a byte, the even index in the low nibble.
 *
 * `quantDequant` gives the f32 weights a quantised runtime computes with, so the
 * reference forward can measure the accuracy cost of quantising (the weights'
 * share of it; `accuracy_level` 4 also quantises activations to int8 inside the op).
 * Not here: which matrices get quantised (onnx/builder.ts rewrites MatMuls).
 */

import type { Tensor, TensorStore } from "./types.js";

export type QuantBits = 4 | 8;
export type QuantName = "int8" | "int4";
export const QUANT_BITS: Record<QuantName, QuantBits> = { int8: 8, int4: 4 };
export const QUANT_BLOCK = 32;

export interface Quantized {
  /** [N, kBlocks, block·bits/8] */
  packed: Uint8Array;
  /** [N · kBlocks] */
  scales: Float32Array;
  kBlocks: number;
}

/** Quantises `w` given as rows of K inputs per output column: w[n·K + k]. */
export function quantizeRows(
  w: Float32Array,
  n: number,
  k: number,
  bits: QuantBits,
  block = QUANT_BLOCK,
): Quantized {
  const kBlocks = Math.ceil(k / block);
  const blob = (block * bits) / 8;
  const packed = new Uint8Array(n * kBlocks * blob);
  const scales = new Float32Array(n * kBlocks);
  const zero = 2 ** (bits - 1);
  const qmax = zero - 1;
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < kBlocks; b++) {
      const lo = b * block;
      const hi = Math.min(k, lo + block);
      let amax = 0;
      for (let i = lo; i < hi; i++) amax = Math.max(amax, Math.abs(w[r * k + i]));
      const scale = amax === 0 ? 1 : amax / qmax;
      scales[r * kBlocks + b] = scale;
      const base = (r * kBlocks + b) * blob;
      for (let i = 0; i < block; i++) {
        // Padding past K holds the zero point (a zero weight).
        const q = lo + i < hi ? Math.round(w[r * k + lo + i] / scale) + zero : zero;
        if (bits === 8) packed[base + i] = q;
        else packed[base + (i >> 1)] |= (i & 1 ? q << 4 : q) & 0xff;
      }
    }
  }
  return { packed, scales, kBlocks };
}

/** The f32 weights a quantised matrix stands for, same layout as the input to quantizeRows. */
export function dequantizeRows(
  q: Quantized,
  n: number,
  k: number,
  bits: QuantBits,
  block = QUANT_BLOCK,
): Float32Array {
  const out = new Float32Array(n * k);
  const blob = (block * bits) / 8;
  const zero = 2 ** (bits - 1);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const b = Math.floor(i / block);
      const j = i % block;
      const base = (r * q.kBlocks + b) * blob;
      const code =
        bits === 8 ? q.packed[base + j] : (q.packed[base + (j >> 1)] >> (j & 1 ? 4 : 0)) & 0xf;
      out[r * k + i] = (code - zero) * q.scales[r * q.kBlocks + b];
    }
  }
  return out;
}

/** quantise then dequantise: the weights as a quantised runtime sees them. */
export function quantDequant(w: Float32Array, n: number, k: number, bits: QuantBits): Float32Array {
  return dequantizeRows(quantizeRows(w, n, k, bits), n, k, bits);
}

/** nn.Linear weights ([out, in]) the runtime quantises, by canonical name; GPT-2's Conv1D ([in, out]) too. */
const LINEAR = /(_proj|lm_head|per_layer_input_gate|per_layer_model_projection)\.weight$/;
const CONV1D = /\.(c_attn|c_proj|c_fc)\.weight$/;

/**
 * A TensorStore whose linear weights are replaced by their quantise→dequantise
 * image (the same matrices with K a multiple of the block that the runtime's
 * MatMul rewrite quantises), for measuring the accuracy cost on the reference forward.
 */
export function quantizedView(t: TensorStore, quant: QuantName): TensorStore {
  const bits = QUANT_BITS[quant];
  const memo = new Map<string, Tensor>();
  return {
    has: (n) => t.has(n),
    names: () => t.names(),
    rows: t.rows ? (n, r) => t.rows!(n, r) : undefined,
    get(name) {
      const hit = memo.get(name);
      if (hit) return hit;
      const x = t.get(name);
      const conv = CONV1D.test(name);
      if ((!LINEAR.test(name) && !conv) || x.shape.length !== 2) return x;
      const [a, b] = x.shape;
      // Rows of K inputs per output column: nn.Linear is already [N, K]; Conv1D is [K, N].
      const [n, k] = conv ? [b, a] : [a, b];
      if (k % QUANT_BLOCK !== 0) return x;
      const rows = conv ? transpose(x.data, a, b) : x.data;
      const dq = quantDequant(rows, n, k, bits);
      const out = { shape: x.shape.slice(), data: conv ? transpose(dq, n, k) : dq };
      memo.set(name, out);
      return out;
    },
  };
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c];
  return y;
}
