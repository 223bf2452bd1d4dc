import { describe, expect, it } from "vitest";
import { INTENT_CLASSES } from "../../src/arena/schema.js";
import type {
  Baseline,
  DirectionLibrary,
  IntentProbe,
  ProbeKit,
} from "../../src/directions/index.js";
import { anomalyZ, round4, softmax, summarizeActivation } from "../../src/directions/index.js";
import { Rng } from "../../src/util/rng.js";

// A tiny hand-made kit: d = 4, 1 layer, labels along the first two axes.
const d = 4;
const library: DirectionLibrary = {
  labels: ["a", "b"],
  nLayers: 1,
  dModel: d,
  direction: (label) =>
    label === "a" ? Float32Array.from([1, 0, 0, 0]) : Float32Array.from([0, 1, 0, 0]),
  typicalNorm: () => 1,
};
const baseline: Baseline = {
  nLayers: 1,
  dModel: d,
  mean: [Float32Array.from([0, 0, 0, 2])],
  variance: [Float32Array.from([1, 4, 1, 1])],
};
const probe: IntentProbe = {
  classes: INTENT_CLASSES,
  nLayers: 1,
  dModel: d,
  weights: [
    [
      new Float32Array(d),
      new Float32Array(d),
      Float32Array.from([3, 0, 0, 0]),
      new Float32Array(d),
    ],
  ],
  bias: [[0, -1, -1, -1]],
};
const kit: ProbeKit = { library, baseline, probe };

describe("summarizeActivation", () => {
  it("computes the standardised diagonal Mahalanobis z-score of GAME.md §4", () => {
    const x = Float32Array.from([1, 2, 0, 3]);
    // Σ((x−μ)/σ)² = 1 + 1 + 0 + 1 = 3; (3 − 4)/√8
    expect(anomalyZ(x, baseline.mean[0], baseline.variance[0])).toBeCloseTo(-1 / Math.sqrt(8), 12);
    expect(summarizeActivation(x, 0, kit).anomaly_z).toBe(round4(-1 / Math.sqrt(8)));
  });

  it("reports cosines of the deviation from the clean mean, not of x", () => {
    // x − μ = (2, 0, 0, 0): along "a" although x itself points mostly along the mean's axis.
    const s = summarizeActivation(Float32Array.from([2, 0, 0, 2]), 0, kit);
    expect(s.cosines).toEqual({ a: 1, b: 0 });
    expect(s.norm).toBe(round4(Math.sqrt(8)));
  });

  it("gives zero cosines and z = −√(d/2) for x equal to the mean", () => {
    const s = summarizeActivation(Float32Array.from(baseline.mean[0]), 0, kit);
    expect(s.cosines).toEqual({ a: 0, b: 0 });
    expect(s.anomaly_z).toBe(round4(-Math.sqrt(d / 2)));
  });

  it("applies the probe's logistic regression on raw x and reports softmax probabilities", () => {
    const x = Float32Array.from([2, 0, 0, 2]);
    const s = summarizeActivation(x, 0, kit);
    const p = softmax([0, -1, 5, -1]);
    expect(s.intent.class).toBe("extraction");
    expect(s.intent.confidence).toBe(round4(p[2]));
    expect(s.intent.probabilities).toEqual({
      benign: round4(p[0]),
      escalation: round4(p[1]),
      extraction: round4(p[2]),
      distraction: round4(p[3]),
    });
  });

  it("rounds every number to 4 decimals", () => {
    const s = summarizeActivation(Float32Array.from([0.123456789, 0.3333333, 0.1, 2.7]), 0, kit);
    const all = [
      s.norm,
      s.anomaly_z,
      ...Object.values(s.cosines),
      s.intent.confidence,
      ...Object.values(s.intent.probabilities),
    ];
    for (const v of all) expect(Math.round(v * 10_000) / 10_000).toBe(v);
  });

  it("has anomaly_z ≈ N(0, 1) on activations drawn from the baseline", () => {
    const rng = new Rng("summary-test");
    const n = 4000;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n; i++) {
      const x = Float32Array.from(
        baseline.mean[0],
        (m, j) => m + Math.sqrt(baseline.variance[0][j]) * rng.normal(),
      );
      const z = anomalyZ(x, baseline.mean[0], baseline.variance[0]);
      sum += z;
      sum2 += z * z;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.08);
    expect(Math.sqrt(sum2 / n - mean * mean)).toBeGreaterThan(0.9);
    expect(Math.sqrt(sum2 / n - mean * mean)).toBeLessThan(1.1);
  });

  it("rejects an activation of the wrong width or a layer out of range with config_error", () => {
    expect(() => summarizeActivation(new Float32Array(3), 0, kit)).toThrow(
      expect.objectContaining({ code: "config_error" }),
    );
    expect(() => summarizeActivation(new Float32Array(4), 1, kit)).toThrow(
      expect.objectContaining({ code: "config_error" }),
    );
  });
});
