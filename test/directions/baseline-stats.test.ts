import { describe, expect, it } from "vitest";
import { layerStats, VARIANCE_FLOOR_REL } from "../../src/directions/index.js";

describe("layerStats (clean baseline of one layer)", () => {
  it("gives the per-dimension mean, the unbiased variance and the mean norm", () => {
    const xs = [
      Float32Array.from([1, 2, 3]),
      Float32Array.from([3, 2, 0]),
      Float32Array.from([2, 2, 6]),
    ];
    const s = layerStats(xs);
    expect(Array.from(s.mean)).toEqual([2, 2, 3]);
    expect(s.variance[0]).toBeCloseTo(1, 6); // ((−1)² + 1² + 0)/2
    expect(s.variance[2]).toBeCloseTo(9, 6); // (0 + 9 + 9)/2
    const norms = xs.map((x) => Math.hypot(...x));
    expect(s.typicalNorm).toBeCloseTo((norms[0] + norms[1] + norms[2]) / 3, 5);
  });

  it("floors the variance so a dimension the bank never moves stays finite in z-scores", () => {
    const s = layerStats([
      Float32Array.from([1, 2, 3]),
      Float32Array.from([3, 2, 0]),
      Float32Array.from([2, 2, 6]),
    ]);
    // dimension 1 is constant: its variance is the floor, relative to the layer's mean variance (10/3)
    expect(s.variance[1]).toBeGreaterThan(0);
    expect(s.variance[1]).toBeCloseTo((VARIANCE_FLOOR_REL * (1 + 0 + 9)) / 3, 9);
    const single = layerStats([Float32Array.from([5, 5])]);
    expect(Math.min(...single.variance)).toBeGreaterThan(0);
  });
});
