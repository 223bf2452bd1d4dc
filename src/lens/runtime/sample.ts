/**
 * Next-token choice from one logits row: greedy (temperature 0; ties go to the
 * lowest id, so it is deterministic) or temperature + nucleus (top-p) sampling
 * drawing from a per-sequence `Rng`, so a seeded run is reproducible and one
 * sequence's draws never shift another's. Probabilities are computed in f64.
 */
import { SeigeError } from "../../util/errors.js";
import type { Rng } from "../../util/rng.js";

export interface SamplingOptions {
  /** 0 = greedy (default) */
  temperature?: number;
  /** nucleus mass in (0, 1]; 1 = no truncation (default) */
  topP?: number;
}

/**
 * A `validation_error` for options no sampler means: a negative or non-finite temperature
 * (0 is greedy), a nucleus mass outside (0, 1]. Unchecked, a negative temperature was
 * greedy and a mass above 1 no truncation, silently.
 */
export function checkSampling(opts: SamplingOptions): void {
  const { temperature, topP } = opts;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0))
    throw new SeigeError(
      "validation_error",
      `temperature must be a finite number ≥ 0 (0 is greedy), got ${temperature}`,
    );
  if (topP !== undefined && !(topP > 0 && topP <= 1))
    throw new SeigeError("validation_error", `top-p must be in (0, 1], got ${topP}`);
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
  const [probs, heapSpace] = scratch(row.length);
  let total = 0;
  for (let i = 0; i < row.length; i++) {
    probs[i] = Math.exp((row[i] - max) / temperature);
    total += probs[i];
  }
  // The nucleus: ids by probability (ties by id), the smallest prefix with mass ≥ topP,
  // then a draw walking that prefix. Sums and the walk depend only on the values in that
  // order, so they run on the values taken largest first from a heap (the nucleus is
  // usually a few dozen of the vocabulary); only the drawn position is mapped back to its
  // id, the k-th smallest id among equal values. The same draws as sorting the ids.
  if (!Number.isFinite(total)) return argmax(row);
  const n = probs.length;
  // Only values that can be in the nucleus enter the heap. A member x has at least
  // (1 − topP)·total of the mass at or below it, spread over at most n values, so
  // x ≥ (1 − topP)·total / n; half that bound leaves the included mass a margin of
  // (1 − topP)·total / 2 over topP·total, far above the sums' rounding while topP ≤ 0.999.
  // The values come out in the same order, so the draws are the same.
  const floor = topP <= 0.999 ? (0.5 * (1 - topP) * total) / n : 0;
  const heap = new MaxHeap(probs, heapSpace, floor);
  const sorted: number[] = [];
  let mass = 0;
  let kept = 0;
  while (heap.size > 0) {
    sorted.push(heap.pop());
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

/**
 * Two arrays of at least `n` doubles, reused from call to call: a decode step samples
 * every row of the batch, and fresh vocabulary-sized arrays each time were garbage.
 * sampleToken is synchronous, so no two calls share them at once.
 */
let space = [new Float64Array(0), new Float64Array(0)];
function scratch(n: number): [Float64Array, Float64Array] {
  if (space[0].length < n) space = [new Float64Array(n), new Float64Array(n)];
  return [space[0].subarray(0, n), space[1].subarray(0, n)];
}

/** The values of an array that are at least `floor`, largest first, from a binary heap over a copy in `space`. */
class MaxHeap {
  private readonly a: Float64Array;
  size = 0;

  constructor(values: Float64Array, space: Float64Array, floor = 0) {
    this.a = space;
    for (const v of values) if (v >= floor) space[this.size++] = v;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  pop(): number {
    const a = this.a;
    const top = a[0];
    a[0] = a[--this.size];
    this.down(0);
    return top;
  }

  private down(i: number): void {
    const a = this.a;
    const n = this.size;
    const v = a[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1] > a[c]) c++;
      if (a[c] <= v) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = v;
  }
}
