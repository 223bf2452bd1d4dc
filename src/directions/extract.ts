/**
 * Direction extraction from paired activations at one layer (INTERP-ANCHORS §5):
 * - `mean_diff` (default; CAA, Arditi et al.): r = mean(h⁺) − mean(h⁻), accumulated
 *   in f64, returned as the unit r̂ plus ‖r‖.
 * - `pca_diff`: the first principal component of the paired differences
 *   Δ_i = h⁺_i − h⁻_i, *uncentered* (steering-vectors' `pca` aggregator). repeng's
 *   sklearn PCA centers the Δ first, which removes exactly the mean component the
 *   pairs share (IBM activation-steering issue #6); uncentered keeps it. Sign: the
 *   mean of Δ·v is positive, so the vector points towards the positive side.
 * And the held-out measure of how well a unit direction separates pairs:
 * Cohen's d of the projections and the fraction of pairs ordered correctly.
 * Pure maths on Float32Arrays; it does not run models or pick layers.
 */
import { SeigeError } from "../util/errors.js";

export type DirectionMethod = "mean_diff" | "pca_diff";
export const DIRECTION_METHODS: readonly DirectionMethod[] = ["mean_diff", "pca_diff"];

export interface ExtractedDirection {
  /** unit vector [d], pointing towards the positive member of the pairs */
  unit: Float32Array;
  /** ‖mean(h⁺ − h⁻)‖: the raw difference-of-means norm (reported for both methods) */
  rawNorm: number;
}

export interface Separation {
  /** (mean p⁺ − mean p⁻) / pooled sd of the projections p = h·d̂ (Cohen's d) */
  separation: number;
  /** fraction of pairs with p⁺ > p⁻ */
  pairAccuracy: number;
  /** pairs measured */
  n: number;
}

function checkPairs(pos: readonly Float32Array[], neg: readonly Float32Array[]): number {
  if (pos.length === 0 || pos.length !== neg.length)
    throw new SeigeError(
      "validation_error",
      `need the same non-zero number of positive and negative activations, got ${pos.length} and ${neg.length}`,
    );
  const d = pos[0].length;
  for (const v of [...pos, ...neg])
    if (v.length !== d)
      throw new SeigeError("validation_error", `activations differ in width (${v.length} vs ${d})`);
  return d;
}

/** mean(h⁺) − mean(h⁻) in f64 (the pairs need not be aligned for this one). */
export function meanDifference(
  pos: readonly Float32Array[],
  neg: readonly Float32Array[],
): Float64Array {
  const d = checkPairs(pos, neg);
  const r = new Float64Array(d);
  for (const v of pos) for (let i = 0; i < d; i++) r[i] += v[i] / pos.length;
  for (const v of neg) for (let i = 0; i < d; i++) r[i] -= v[i] / neg.length;
  return r;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function unitOf(v: Float64Array, what: string): Float32Array {
  const n = norm(v);
  if (!(n > 0))
    throw new SeigeError(
      "execution_error",
      `${what}: the positive and negative activations are identical, so there is no direction; check the prompt pairs`,
    );
  return Float32Array.from(v, (x) => x / n);
}

/** Difference of means → unit direction + raw norm. */
export function diffOfMeans(
  pos: readonly Float32Array[],
  neg: readonly Float32Array[],
): ExtractedDirection {
  const r = meanDifference(pos, neg);
  return { unit: unitOf(r, "difference of means"), rawNorm: norm(r) };
}

/**
 * First uncentered principal component of the paired differences. Works in the
 * n×n Gram space (n pairs ≪ d): power iteration on G = ΔΔᵀ from the all-ones
 * start (which is the mean direction, so it overlaps the top component whenever
 * the pairs share one), then v = Δᵀa. Deterministic: no random start.
 */
export function pcaOfDiffs(
  pos: readonly Float32Array[],
  neg: readonly Float32Array[],
  iterations = 500,
): ExtractedDirection {
  const d = checkPairs(pos, neg);
  const n = pos.length;
  const diffs = pos.map((p, k) => Float64Array.from(p, (x, i) => x - neg[k][i]));
  const G = diffs.map((a) => diffs.map((b) => a.reduce((s, x, i) => s + x * b[i], 0)));
  let a = new Float64Array(n).fill(1 / Math.sqrt(n));
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[i] += G[i][j] * a[j];
    const nn = norm(next);
    if (!(nn > 0)) break;
    for (let i = 0; i < n; i++) next[i] /= nn;
    let delta = 0;
    for (let i = 0; i < n; i++) delta = Math.max(delta, Math.abs(next[i] - a[i]));
    a = next;
    if (delta < 1e-12) break;
  }
  const v = new Float64Array(d);
  for (let k = 0; k < n; k++) for (let i = 0; i < d; i++) v[i] += a[k] * diffs[k][i];
  // Sign: positives project higher on average.
  let s = 0;
  for (const dk of diffs) for (let i = 0; i < d; i++) s += dk[i] * v[i];
  if (s < 0) for (let i = 0; i < d; i++) v[i] = -v[i];
  return { unit: unitOf(v, "PCA of paired differences"), rawNorm: norm(meanDifference(pos, neg)) };
}

export function extractDirection(
  method: DirectionMethod,
  pos: readonly Float32Array[],
  neg: readonly Float32Array[],
): ExtractedDirection {
  return method === "pca_diff" ? pcaOfDiffs(pos, neg) : diffOfMeans(pos, neg);
}

/** How well the unit direction `u` orders the pairs (use held-out pairs for an honest number). */
export function separationOf(
  u: ArrayLike<number>,
  pos: readonly Float32Array[],
  neg: readonly Float32Array[],
): Separation {
  checkPairs(pos, neg);
  const proj = (v: Float32Array) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * u[i];
    return s;
  };
  const p = pos.map(proj);
  const q = neg.map(proj);
  const n = p.length;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = (xs: number[], m: number) =>
    xs.length > 1 ? xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) : 0;
  const mp = mean(p);
  const mq = mean(q);
  const pooled = Math.sqrt((variance(p, mp) + variance(q, mq)) / 2);
  let ordered = 0;
  for (let k = 0; k < n; k++) if (p[k] > q[k]) ordered++;
  // Zero spread with distinct means is perfect separation; report it as a large finite number.
  const separation = pooled > 0 ? (mp - mq) / pooled : mp === mq ? 0 : Math.sign(mp - mq) * 1e6;
  return { separation, pairAccuracy: ordered / n, n };
}
