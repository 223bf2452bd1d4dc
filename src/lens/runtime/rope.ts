/**
 * RoPE cos/sin tables computed in TypeScript and fed to the attention graphs as
 * `[B, T, 1, hd]` inputs, one pair per layer type (Gemma 3 uses a different base
 * on sliding layers). Doing this outside the graph keeps every scaling variant
 * (default, linear, llama3; ARCHITECTURES.md §2.2) and per-sequence position ids
 * (left padding) out of the ONNX graphs. Layout is HF's: `cat(freqs, freqs)`.
 */
import type { RopeConfig } from "../types.js";

/** inv_freq[j] for j < hd/2, after the config's scaling rule. */
export function inverseFrequencies(rope: RopeConfig, headDim: number): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let j = 0; j < half; j++) inv[j] = rope.theta ** (-(2 * j) / headDim);
  if (rope.type === "linear") {
    const f = rope.factor ?? 1;
    for (let j = 0; j < half; j++) inv[j] /= f;
  } else if (rope.type === "llama3") {
    const factor = rope.factor ?? 8;
    const low = rope.lowFreqFactor ?? 1;
    const high = rope.highFreqFactor ?? 4;
    const orig = rope.originalMaxPositions ?? 8192;
    const lowW = orig / low;
    const highW = orig / high;
    for (let j = 0; j < half; j++) {
      const wl = (2 * Math.PI) / inv[j];
      let f = wl > lowW ? inv[j] / factor : inv[j];
      if (!(wl < highW) && !(wl > lowW)) {
        const smooth = (orig / wl - low) / (high - low);
        f = ((1 - smooth) * f) / factor + smooth * f;
      }
      inv[j] = f;
    }
  }
  return inv;
}

/** cos and sin `[n, hd]` for each position (negative positions, i.e. padding, get position 0). */
export function ropeTables(
  inv: Float64Array,
  positions: Int32Array,
): { cos: Float32Array; sin: Float32Array } {
  const half = inv.length;
  const hd = 2 * half;
  const cos = new Float32Array(positions.length * hd);
  const sin = new Float32Array(positions.length * hd);
  for (let i = 0; i < positions.length; i++) {
    const p = Math.max(0, positions[i]);
    for (let j = 0; j < half; j++) {
      const a = p * inv[j];
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[i * hd + j] = c;
      cos[i * hd + half + j] = c;
      sin[i * hd + j] = s;
      sin[i * hd + half + j] = s;
    }
  }
  return { cos, sin };
}
