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
  // Sort ids by probability (ties by id, for a stable order), keep the smallest prefix with
  // mass ≥ topP. The ids above a small threshold come first in that order, so when their
  // mass already reaches topP only they are sorted: the same prefix, summed in the same
  // order, as sorting the whole vocabulary.
  const byProb = (a: number, b: number) => probs[b] - probs[a] || a - b;
  const nucleus = (order: number[]): number[] | null => {
    const kept: number[] = [];
    let mass = 0;
    for (const id of order) {
      kept.push(id);
      mass += probs[id] / total;
      if (mass >= topP) return kept;
    }
    return null;
  };
  const floor = total * 1e-4;
  const head: number[] = [];
  for (let i = 0; i < probs.length; i++) if (probs[i] >= floor) head.push(i);
  const kept =
    (head.length < probs.length ? nucleus(head.sort(byProb)) : null) ??
    nucleus(Array.from(probs.keys()).sort(byProb)) ??
    Array.from(probs.keys()).sort(byProb);
  const keptTotal = kept.reduce((s, id) => s + probs[id], 0);
  let r = rng.next() * keptTotal;
  for (const id of kept) {
    r -= probs[id];
    if (r < 0) return id;
  }
  return kept[kept.length - 1];
}
