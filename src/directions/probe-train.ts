/**
 * Trains the intent probe of one layer: multinomial logistic regression over the
 * raw residual x, L2-regularised, in TypeScript. Deterministic: zero start, full
 * batch, accelerated gradient descent (Nesterov/FISTA) with the step 1/L from the
 * loss's Lipschitz bound, so the same data always gives the same weights.
 *
 * Features are standardised (per dimension, on the training set) while fitting,
 * because residual streams have a few huge dimensions that would otherwise set
 * the step size for all; the standardisation is folded back into the weights and
 * bias at the end, so the returned probe reads raw x as `IntentProbe` requires.
 * The L2 penalty is on the standardised weights. Accuracy is reported on the
 * training set and on the held-out set separately; it never tunes on held-out
 * data. It does not choose layers or classes.
 */
import { SeigeError } from "../util/errors.js";

export interface ProbeTrainOptions {
  /** L2 strength λ on standardised weights, loss = mean CE + (λ/2)‖W‖² (default 1e-2) */
  l2?: number;
  /** maximum full-batch iterations (default 500) */
  iterations?: number;
  /** stop when the largest gradient entry falls below this (default 1e-6) */
  tolerance?: number;
}

export interface TrainedProbe {
  /** [class] → [d], over raw x */
  weights: Float32Array[];
  /** [class] */
  bias: number[];
  trainAccuracy: number;
  /** null when there is no held-out example */
  testAccuracy: number | null;
  iterations: number;
}

export interface LabelledSet {
  x: readonly Float32Array[];
  /** class index per row */
  y: readonly number[];
}

/** Largest eigenvalue of ZᵀZ/n via power iteration from a fixed start (for the step size). */
function topEigen(z: Float64Array[], d: number): number {
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  let lambda = 0;
  for (let it = 0; it < 100; it++) {
    const w = new Float64Array(d);
    for (const row of z) {
      let s = 0;
      for (let i = 0; i < d; i++) s += row[i] * v[i];
      for (let i = 0; i < d; i++) w[i] += (s * row[i]) / z.length;
    }
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += w[i] * w[i];
    nrm = Math.sqrt(nrm);
    if (!(nrm > 0)) return 0;
    lambda = nrm;
    v = w.map((x) => x / nrm);
  }
  return lambda;
}

/** logits = W·z + b for one row; W is [C·d] row-major. */
function logitsOf(
  W: Float64Array,
  b: Float64Array,
  z: Float64Array,
  C: number,
  d: number,
): number[] {
  const out = new Array<number>(C);
  for (let c = 0; c < C; c++) {
    let s = b[c];
    const o = c * d;
    for (let i = 0; i < d; i++) s += W[o + i] * z[i];
    out[c] = s;
  }
  return out;
}

function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

export function trainProbe(
  train: LabelledSet,
  test: LabelledSet,
  nClasses: number,
  opts: ProbeTrainOptions = {},
): TrainedProbe {
  const l2 = opts.l2 ?? 1e-2;
  const maxIt = opts.iterations ?? 500;
  const tol = opts.tolerance ?? 1e-6;
  const n = train.x.length;
  if (n === 0) throw new SeigeError("validation_error", "the probe needs training examples");
  if (train.y.length !== n) throw new SeigeError("validation_error", "x and y differ in length");
  const d = train.x[0].length;
  const C = nClasses;

  // Standardise on the training set only.
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const x of train.x) for (let i = 0; i < d; i++) mu[i] += x[i] / n;
  for (const x of train.x) for (let i = 0; i < d; i++) sd[i] += (x[i] - mu[i]) ** 2 / n;
  for (let i = 0; i < d; i++) sd[i] = sd[i] > 1e-24 ? Math.sqrt(sd[i]) : 1;
  const z = train.x.map((x) => Float64Array.from(x, (v, i) => (v - mu[i]) / sd[i]));

  // Softmax CE's Hessian is ≤ ½·(ZᵀZ/n ⊗ I) (plus 1/2 for the bias); add λ.
  const L = 0.5 * (topEigen(z, d) + 1) + l2;
  const step = 1 / L;
  let W = new Float64Array(C * d);
  let b = new Float64Array(C);
  let Wy = W.slice();
  let by = b.slice();
  let t = 1;
  let it = 0;
  for (; it < maxIt; it++) {
    const gW = new Float64Array(C * d);
    const gb = new Float64Array(C);
    for (let k = 0; k < n; k++) {
      const lg = logitsOf(Wy, by, z[k], C, d);
      const m = Math.max(...lg);
      const e = lg.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      for (let c = 0; c < C; c++) {
        const r = (e[c] / s - (train.y[k] === c ? 1 : 0)) / n;
        gb[c] += r;
        const o = c * d;
        for (let i = 0; i < d; i++) gW[o + i] += r * z[k][i];
      }
    }
    let gmax = 0;
    for (let j = 0; j < C * d; j++) {
      gW[j] += l2 * Wy[j];
      gmax = Math.max(gmax, Math.abs(gW[j]));
    }
    for (let c = 0; c < C; c++) gmax = Math.max(gmax, Math.abs(gb[c]));
    if (gmax < tol) break;
    const Wn = Wy.map((v, j) => v - step * gW[j]);
    const bn = by.map((v, c) => v - step * gb[c]);
    const tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const mom = (t - 1) / tn;
    Wy = Wn.map((v, j) => v + mom * (v - W[j]));
    by = bn.map((v, c) => v + mom * (v - b[c]));
    W = Wn;
    b = bn;
    t = tn;
  }
  // The momentum point is where the gradient was last small; keep it if we stopped early.
  if (it < maxIt) {
    W = Wy;
    b = by;
  }

  // Fold the standardisation back: W_raw = W/sd, b_raw = b − Σ W·mu/sd.
  const weights: Float32Array[] = [];
  const bias: number[] = [];
  for (let c = 0; c < C; c++) {
    const w = new Float32Array(d);
    let bc = b[c];
    for (let i = 0; i < d; i++) {
      w[i] = W[c * d + i] / sd[i];
      bc -= (W[c * d + i] * mu[i]) / sd[i];
    }
    weights.push(w);
    bias.push(bc);
  }
  return {
    weights,
    bias,
    trainAccuracy: probeAccuracy(weights, bias, train),
    testAccuracy: test.x.length > 0 ? probeAccuracy(weights, bias, test) : null,
    iterations: it,
  };
}

/** Fraction of rows whose argmax logit (first on a tie) is their label. */
export function probeAccuracy(
  weights: readonly Float32Array[],
  bias: readonly number[],
  set: LabelledSet,
): number {
  if (set.x.length === 0) return 0;
  let right = 0;
  set.x.forEach((x, k) => {
    const lg = weights.map((w, c) => {
      let s = bias[c];
      for (let i = 0; i < x.length; i++) s += w[i] * x[i];
      return s;
    });
    if (argmax(lg) === set.y[k]) right++;
  });
  return right / set.x.length;
}
