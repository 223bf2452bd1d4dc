/**
 * Next-token choice from one logits row: greedy (temperature 0; ties go to the
 * lowest id, so it is deterministic) or temperature + nucleus (top-p) sampling
 * drawing from a per-sequence `Rng`, so a seeded run is reproducible and one
 * sequence's draws never shift another's. Probabilities are computed in f64.
 */
import type { Rng } from "../../util/rng.js";

export interface SamplingOptions {
  /** 0 = greedy (default) */
  temperature?: number;
  /** nucleus mass in (0, 1]; 1 = no truncation (default) */
  topP?: number;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export function sampleToken(row: Float32Array, opts: SamplingOptions, rng: Rng): number {
  const temperature = opts.temperature ?? 0;
  if (temperature <= 0) return argmax(row);
  const topP = opts.topP ?? 1;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of row) if (v > max) max = v;
  const probs = new Float64Array(row.length);
  let total = 0;
  for (let i = 0; i < row.length; i++) {
    probs[i] = Math.exp((row[i] - max) / temperature);
    total += probs[i];
  }
  // The nucleus: ids by probability (ties by id), the smallest prefix with mass ≥ topP,
  // then a draw walking that prefix. Sums and the walk depend only on the values in that
  // order, so they run on the sorted values (a native typed-array sort, no comparator);
  // only the drawn position is mapped back to its id, the k-th smallest id among equal
  // values. The same draws as sorting the ids themselves.
  const sorted = Float64Array.from(probs).sort().reverse();
  const n = sorted.length;
  let mass = 0;
  let kept = 0;
  while (kept < n) {
    mass += sorted[kept++] / total;
    if (mass >= topP) break;
  }
  let keptTotal = 0;
  for (let i = 0; i < kept; i++) keptTotal += sorted[i];
  let r = rng.next() * keptTotal;
  let pos = kept - 1;
  for (let i = 0; i < kept; i++) {
    r -= sorted[i];
    if (r < 0) {
      pos = i;
      break;
    }
  }
  const value = sorted[pos];
  let skip = pos;
  while (skip > 0 && sorted[skip - 1] === value) skip--;
  skip = pos - skip;
  for (let id = 0; id < n; id++) {
    if (probs[id] !== value) continue;
    if (skip === 0) return id;
    skip--;
  }
  return argmax(row);
}
