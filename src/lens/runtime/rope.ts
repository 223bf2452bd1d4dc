/**
 * RoPE cos/sin tables computed in TypeScript and fed to the attention graphs as
 * `[B, T, 1, hd]` inputs, one pair per layer type (Gemma 3 uses a different base
 * on sliding layers). Doing this outside the graph keeps every scaling variant
 * (default, linear, llama3, proportional; ARCHITECTURES.md §2.2, §1.3) and per-sequence position ids
 * (left padding) out of the ONNX graphs. Layout is HF's: `cat(freqs, freqs)`.
 */
import { ropeInvFreq } from "../reference/ops.js";

/** inv_freq[j] for j < hd/2, after the config's scaling rule: the reference forward's, so both agree. */
export const inverseFrequencies = ropeInvFreq;

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
