import { describe, expect, it } from "vitest";
import { type LabelledSet, probeAccuracy, trainProbe } from "../../src/directions/index.js";
import { Rng } from "../../src/util/rng.js";

/** Four Gaussian blobs far apart along random class means, plus a huge constant offset and one wide dimension. */
function blobs(rng: Rng, perClass: number, means: Float32Array[]): LabelledSet {
  const x: Float32Array[] = [];
  const y: number[] = [];
  means.forEach((m, c) => {
    for (let k = 0; k < perClass; k++) {
      const v = Float32Array.from(m, (mi, i) => mi + 0.3 * rng.normal() + (i === 0 ? 500 : 0));
      v[1] += 50 * rng.normal(); // a high-variance nuisance dimension, like real residual outliers
      x.push(v);
      y.push(c);
    }
  });
  return { x, y };
}

describe("trainProbe (multinomial logistic regression, L2)", () => {
  const d = 24;
  const rng = new Rng("probe-means");
  const means = Array.from({ length: 4 }, () =>
    Float32Array.from({ length: d }, (_, i) => (i < 2 ? 0 : 2 * rng.normal())),
  );

  it("reaches perfect train and held-out accuracy on a linearly separable set", () => {
    const train = blobs(new Rng("train"), 20, means);
    const test = blobs(new Rng("test"), 10, means);
    const p = trainProbe(train, test, 4);
    expect(p.trainAccuracy).toBe(1);
    expect(p.testAccuracy).toBe(1);
    // The returned weights read raw x: recompute accuracy independently.
    expect(probeAccuracy(p.weights, p.bias, test)).toBe(1);
    expect(p.weights).toHaveLength(4);
    expect(p.weights[0]).toHaveLength(d);
  });

  it("reports held-out accuracy honestly: random labels fit the training set but not the held-out one", () => {
    const r = new Rng("random-labels");
    const mk = (n: number): LabelledSet => ({
      x: Array.from({ length: n }, () => Float32Array.from({ length: 60 }, () => r.normal())),
      y: Array.from({ length: n }, () => r.int(4)),
    });
    const train = mk(40);
    const test = mk(400);
    const p = trainProbe(train, test, 4, { l2: 1e-4, iterations: 2000 });
    expect(p.trainAccuracy).toBeGreaterThan(0.9); // d > n: memorises
    expect(p.testAccuracy!).toBeLessThan(0.4); // chance is 0.25
    expect(p.testAccuracy!).toBeGreaterThan(0.1);
  });

  it("is deterministic and gives null test accuracy without held-out data", () => {
    const train = blobs(new Rng("det"), 5, means);
    const a = trainProbe(train, { x: [], y: [] }, 4);
    const b = trainProbe(train, { x: [], y: [] }, 4);
    expect(a.testAccuracy).toBeNull();
    expect(Array.from(a.weights[2])).toEqual(Array.from(b.weights[2]));
    expect(a.bias).toEqual(b.bias);
  });

  it("shrinks the weights as the L2 strength grows", () => {
    const train = blobs(new Rng("l2"), 10, means);
    const size = (l2: number) => {
      const p = trainProbe(train, { x: [], y: [] }, 4, { l2 });
      return p.weights.reduce((s, w) => s + w.reduce((a, v) => a + v * v, 0), 0);
    };
    expect(size(10)).toBeLessThan(size(0.01));
  });
});
