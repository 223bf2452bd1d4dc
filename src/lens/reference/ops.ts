/**
 * The shared maths of the plain-TypeScript reference forward: linear layers in both
 * weight orientations, the three norms, activations, RoPE and causal attention with
 * GQA, soft-capping and sliding windows. Everything is written for clarity, not
 * speed (the reference runs tiny models in tests): row-major Float32Arrays, dot
 * products accumulated in f64, one loop nest per operation.
 *
 * Deliberately not here: how an architecture composes these (gpt2.ts, llama.ts,
 * gemma.ts) and anything about hooks. Formulas follow ARCHITECTURES.md §2.
 */
import type { RopeConfig } from "../types.js";

/** y [n, out] = x [n, in] @ W^T + b, with W in nn.Linear layout [out, in]. */
export function linear(
  x: Float32Array,
  n: number,
  inDim: number,
  w: Float32Array,
  outDim: number,
  bias?: Float32Array,
): Float32Array {
  const y = new Float32Array(n * outDim);
  for (let r = 0; r < n; r++) {
    const xo = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[xo + i] * w[wo + i];
      y[r * outDim + o] = s;
    }
  }
  return y;
}

/** y [n, out] = x [n, in] @ W + b, with W in GPT-2 Conv1D layout [in, out]. */
export function conv1d(
  x: Float32Array,
  n: number,
  inDim: number,
  w: Float32Array,
  outDim: number,
  bias?: Float32Array,
): Float32Array {
  const y = new Float32Array(n * outDim);
  const acc = new Float64Array(outDim);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outDim; o++) acc[o] = bias ? bias[o] : 0;
    for (let i = 0; i < inDim; i++) {
      const xi = x[r * inDim + i];
      const wo = i * outDim;
      for (let o = 0; o < outDim; o++) acc[o] += xi * w[wo + o];
    }
    for (let o = 0; o < outDim; o++) y[r * outDim + o] = acc[o];
  }
  return y;
}

/** a + b, elementwise, into a new array (keeps the residual add visible at the call site). */
export function add(a: Float32Array, b: Float32Array): Float32Array {
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

/** a * b, elementwise. */
export function mul(a: Float32Array, b: Float32Array): Float32Array {
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] * b[i];
  return y;
}

/**
 * RMSNorm over the last `d` values of each row: x·rsqrt(mean(x²)+eps)·w, or ·(1+w)
 * for Gemma (`plusOne`). In f32 the two HF orders of cast and multiply coincide.
 */
export function rmsNorm(
  x: Float32Array,
  d: number,
  w: Float32Array,
  eps: number,
  plusOne: boolean,
): Float32Array {
  const y = new Float32Array(x.length);
  for (let o = 0; o < x.length; o += d) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) y[o + i] = x[o + i] * inv * (plusOne ? 1 + w[i] : w[i]);
  }
  return y;
}

/** LayerNorm with biased variance: (x-μ)/sqrt(var+eps)·w + b. */
export function layerNorm(
  x: Float32Array,
  d: number,
  w: Float32Array,
  b: Float32Array,
  eps: number,
): Float32Array {
  const y = new Float32Array(x.length);
  for (let o = 0; o < x.length; o += d) {
    let mu = 0;
    for (let i = 0; i < d; i++) mu += x[o + i];
    mu /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[o + i] - mu) ** 2;
    const inv = 1 / Math.sqrt(v / d + eps);
    for (let i = 0; i < d; i++) y[o + i] = (x[o + i] - mu) * inv * w[i] + b[i];
  }
  return y;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** erf: Maclaurin series for |x| < 3 (f64-accurate), Abramowitz–Stegun 7.1.26 beyond (|error| < 2e-7, where erf ≈ ±1). */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(x) * (1 - poly * Math.exp(-a * a));
}

export function geluErf(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

export function activation(name: "gelu_tanh" | "gelu" | "silu"): (x: number) => number {
  return name === "silu" ? silu : name === "gelu" ? geluErf : geluTanh;
}

export function map(x: Float32Array, f: (v: number) => number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  return y;
}

/** cap · tanh(x / cap), in place (Gemma 2's attention and final soft-caps). */
export function softcapInPlace(x: Float32Array | Float64Array, cap: number): void {
  for (let i = 0; i < x.length; i++) x[i] = cap * Math.tanh(x[i] / cap);
}

/**
 * RoPE inverse frequencies for a rotary dimension `dim` (= head_dim here), per rope type.
 * "proportional" (Gemma 4's global layers) keeps the first ⌊partial·dim/2⌋ frequencies,
 * with the exponent's denominator the FULL dim, and zeroes the rest (those pairs do not rotate).
 */
export function ropeInvFreq(rope: RopeConfig, dim: number): Float64Array {
  const half = dim / 2;
  const inv = new Float64Array(half);
  for (let j = 0; j < half; j++) inv[j] = rope.theta ** (-(2 * j) / dim);
  if (rope.type === "linear") for (let j = 0; j < half; j++) inv[j] /= rope.factor!;
  if (rope.type === "proportional") {
    const angles = Math.floor(((rope.partialRotaryFactor ?? 1) * dim) / 2);
    for (let j = 0; j < half; j++) inv[j] = j < angles ? inv[j] / (rope.factor ?? 1) : 0;
  }
  if (rope.type === "llama3") {
    const factor = rope.factor!;
    const low = rope.lowFreqFactor!;
    const high = rope.highFreqFactor!;
    const orig = rope.originalMaxPositions!;
    const lowW = orig / low;
    const highW = orig / high;
    for (let j = 0; j < half; j++) {
      const wl = (2 * Math.PI) / inv[j];
      let f = wl > lowW ? inv[j] / factor : inv[j];
      const smooth = (orig / wl - low) / (high - low);
      const mid = !(wl < highW) && !(wl > lowW);
      if (mid) f = ((1 - smooth) * f) / factor + smooth * f;
      inv[j] = f;
    }
  }
  return inv;
}

/**
 * Rotates x [n, heads, hd] in place, HF's rotate_half convention: the two halves of
 * each head are the pair (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin).
 */
export function applyRope(
  x: Float32Array,
  n: number,
  heads: number,
  hd: number,
  positions: ArrayLike<number>,
  inv: Float64Array,
): void {
  const half = hd / 2;
  for (let r = 0; r < n; r++) {
    const p = positions[r];
    for (let j = 0; j < half; j++) {
      const c = Math.cos(p * inv[j]);
      const s = Math.sin(p * inv[j]);
      for (let h = 0; h < heads; h++) {
        const o = (r * heads + h) * hd;
        const x1 = x[o + j];
        const x2 = x[o + j + half];
        x[o + j] = x1 * c - x2 * s;
        x[o + j + half] = x2 * c + x1 * s;
      }
    }
  }
}

export interface AttendOptions {
  scale: number;
  softcap: number | null;
  /** keep key k for query q only when k > q − window (null: no window) */
  window: number | null;
}

/**
 * Causal attention over one sequence (query and key i at position i).
 * q [n, H, hd], k/v [n, Hkv, hd] → z [n, H, hd]. Query head h reads KV head
 * floor(h / (H/Hkv)), which is what HF's repeat_kv does. Soft-cap before the mask,
 * softmax in f64.
 */
export function attend(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  n: number,
  nHeads: number,
  nKv: number,
  hd: number,
  o: AttendOptions,
): Float32Array {
  const z = new Float32Array(n * nHeads * hd);
  const group = nHeads / nKv;
  const s = new Float64Array(n);
  for (let h = 0; h < nHeads; h++) {
    const kh = Math.floor(h / group);
    for (let i = 0; i < n; i++) {
      const lo = o.window === null ? 0 : Math.max(0, i - o.window + 1);
      const qo = (i * nHeads + h) * hd;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = lo; j <= i; j++) {
        const ko = (j * nKv + kh) * hd;
        let dot = 0;
        for (let t = 0; t < hd; t++) dot += q[qo + t] * k[ko + t];
        let sc = dot * o.scale;
        if (o.softcap !== null) sc = o.softcap * Math.tanh(sc / o.softcap);
        s[j] = sc;
        if (sc > max) max = sc;
      }
      let sum = 0;
      for (let j = lo; j <= i; j++) {
        s[j] = Math.exp(s[j] - max);
        sum += s[j];
      }
      for (let j = lo; j <= i; j++) {
        const p = s[j] / sum;
        const vo = (j * nKv + kh) * hd;
        for (let t = 0; t < hd; t++) z[qo + t] += p * v[vo + t];
      }
    }
  }
  return z;
}
