/**
 * Clean statistics of one layer over the benign bank: the per-dimension mean and
 * variance (the baseline that anomaly z-scores and mean-ablation use) and the
 * typical residual norm (the unit of steering magnitudes, GAME.md §5).
 *
 * Variance is the unbiased sample variance, floored so every entry is > 0 (the
 * z-score divides by it): floor = max(1e-4 · mean variance of the layer, 1e-12).
 * A dimension the bank never moves would otherwise make any touch on it an
 * infinite anomaly. The typical norm is the mean ‖x‖ over the bank. It does not
 * collect activations or decide which layers to use.
 */
import { SeigeError } from "../util/errors.js";

export interface LayerStats {
  mean: Float32Array;
  variance: Float32Array;
  typicalNorm: number;
}

/** Relative floor on the per-dimension variance (times the layer's mean variance). */
export const VARIANCE_FLOOR_REL = 1e-4;
export const VARIANCE_FLOOR_ABS = 1e-12;

export function layerStats(xs: readonly Float32Array[]): LayerStats {
  const n = xs.length;
  if (n === 0)
    throw new SeigeError("validation_error", "the clean baseline needs at least one activation");
  const d = xs[0].length;
  const mean = new Float64Array(d);
  for (const x of xs) for (let i = 0; i < d; i++) mean[i] += x[i] / n;
  const v = new Float64Array(d);
  for (const x of xs) for (let i = 0; i < d; i++) v[i] += (x[i] - mean[i]) ** 2;
  for (let i = 0; i < d; i++) v[i] = n > 1 ? v[i] / (n - 1) : 0;
  const avg = v.reduce((a, b) => a + b, 0) / d;
  const floor = Math.max(VARIANCE_FLOOR_REL * avg, VARIANCE_FLOOR_ABS);
  let normSum = 0;
  for (const x of xs) {
    let s = 0;
    for (let i = 0; i < d; i++) s += x[i] * x[i];
    normSum += Math.sqrt(s);
  }
  return {
    mean: Float32Array.from(mean),
    variance: Float32Array.from(v, (x) => Math.max(x, floor)),
    typicalNorm: normSum / n,
  };
}
