// The cross-entropy method improves its objective on a toy problem and is a
// pure function of its seed (the audit's search must be reproducible).
import { describe, expect, it } from "vitest";
import { crossEntropy } from "../../src/audit/index.js";

const target = [3, -2, 0.5, 1.5];
const objective = (x: number[]) => -x.reduce((s, v, i) => s + (v - target[i]) ** 2, 0);
const options = {
  initMean: [0, 0, 0, 0],
  initStd: [2, 2, 2, 2],
  iterations: 12,
  population: 20,
  seed: 7,
};

describe("crossEntropy", () => {
  it("improves the training objective and finds the optimum of a quadratic", async () => {
    const r = await crossEntropy(objective, options);
    expect(r.history).toHaveLength(12);
    expect(r.bestScore).toBeGreaterThan(r.history[0].best);
    expect(r.history.at(-1)!.eliteMean).toBeGreaterThan(r.history[0].eliteMean);
    expect(r.bestScore).toBeGreaterThan(-0.05);
    for (const [i, v] of r.best.entries()) expect(v).toBeCloseTo(target[i], 0);
  });

  it("gives the same result for the same seed and a different one for another", async () => {
    const a = await crossEntropy(objective, options);
    const b = await crossEntropy(objective, options);
    const c = await crossEntropy(objective, { ...options, seed: 8 });
    expect(b).toEqual(a);
    expect(c.best).not.toEqual(a.best);
  });

  it("never loses the best candidate: the mean is always in the population", async () => {
    // A flat objective: nothing beats the starting mean, which must be returned.
    const r = await crossEntropy(() => 0, { ...options, iterations: 2 });
    expect(r.best).toEqual(options.initMean);
  });
});
