/**
 * `summarizeActivation`: one residual vector at one layer → the activation
 * feature summary Blue sees (GAME.md §4). This is the single implementation
 * shared by every white-box backend: the sim calls it on its synthetic
 * residuals, the lens backend will call it on captured ones with trained
 * probes. It never sees which request, strategy or intervention produced x.
 *
 * Definitions (d = dModel, μ, σ² = the baseline of that layer):
 * - norm = ‖x‖.
 * - anomaly_z = (Σ_i ((x_i − μ_i)/σ_i)² − d) / √(2d): the squared Mahalanobis
 *   distance with diagonal covariance, standardised. For clean traffic that is
 *   Gaussian with that mean and variance, the sum is χ²_d (mean d, variance 2d),
 *   so anomaly_z is ≈ N(0, 1) there and grows with any push off the baseline.
 * - cosines[label] = cos(x − μ, d̂(label, layer)). The deviation from the clean
 *   mean, not x itself: the mean is large (most of ‖x‖ in real models) and
 *   identical for every request, so cos(x, d̂) would mostly measure the fixed
 *   angle between μ and d̂ and hide what the request added. 0 when x = μ.
 * - intent: softmax of the probe's logits W·x + b; class = argmax (first on a
 *   tie), confidence = its probability.
 * Every number is rounded to 4 decimals so summaries serialise stably.
 * It does not validate shapes beyond a length check: callers own their data.
 */

import { SeigeError } from "../util/errors.js";
import type { IntentClass, ProbeSummary } from "../vocab.js";
import type { ProbeKit } from "./types.js";

/** Rounds to 4 decimals; -0 becomes 0 so JSON is stable. */
export function round4(v: number): number {
  const r = Math.round(v * 10_000) / 10_000;
  return r === 0 ? 0 : r;
}

export function anomalyZ(
  x: Float32Array | Float64Array,
  mean: Float32Array,
  variance: Float32Array,
): number {
  const d = x.length;
  let s = 0;
  for (let i = 0; i < d; i++) {
    const u = x[i] - mean[i];
    s += (u * u) / variance[i];
  }
  return (s - d) / Math.sqrt(2 * d);
}

export function softmax(logits: readonly number[]): number[] {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of logits) if (v > m) m = v;
  const e = logits.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export function summarizeActivation(
  x: Float32Array | Float64Array,
  layer: number,
  kit: ProbeKit,
): ProbeSummary {
  const { library, baseline, probe } = kit;
  const d = library.dModel;
  if (x.length !== d || baseline.dModel !== d || probe.dModel !== d) {
    throw new SeigeError(
      "config_error",
      `activation has ${x.length} dims but the library/baseline/probe expect ${d}/${baseline.dModel}/${probe.dModel}; load artifacts for the same model`,
    );
  }
  if (!Number.isInteger(layer) || layer < 0 || layer >= library.nLayers) {
    throw new SeigeError("config_error", `layer ${layer} is outside [0, ${library.nLayers})`);
  }
  const mean = baseline.mean[layer];
  const dev = new Float64Array(d);
  let norm2 = 0;
  let dev2 = 0;
  for (let i = 0; i < d; i++) {
    dev[i] = x[i] - mean[i];
    norm2 += x[i] * x[i];
    dev2 += dev[i] * dev[i];
  }
  const devNorm = Math.sqrt(dev2);

  const cosines: Record<string, number> = {};
  for (const label of library.labels) {
    const u = library.direction(label, layer);
    let dot = 0;
    let u2 = 0;
    for (let i = 0; i < d; i++) {
      dot += dev[i] * u[i];
      u2 += u[i] * u[i];
    }
    // Library vectors are unit by contract; dividing by ‖u‖ anyway keeps a
    // slightly off artifact (f16 rounding) from skewing cosines.
    cosines[label] = devNorm === 0 || u2 === 0 ? 0 : round4(dot / (devNorm * Math.sqrt(u2)));
  }

  const logits = probe.classes.map((_, c) => {
    const w = probe.weights[layer][c];
    let s = probe.bias[layer][c];
    for (let i = 0; i < d; i++) s += w[i] * x[i];
    return s;
  });
  const p = softmax(logits);
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  const probabilities: Record<string, number> = {};
  probe.classes.forEach((c, i) => {
    probabilities[c] = round4(p[i]);
  });

  return {
    layer,
    norm: round4(Math.sqrt(norm2)),
    anomaly_z: round4(anomalyZ(x, mean, baseline.variance[layer])),
    cosines,
    intent: {
      class: probe.classes[best] as IntentClass,
      confidence: round4(p[best]),
      probabilities,
    },
  };
}
