import { describe, expect, it } from "vitest";
import { SimTarget } from "../../src/target/index.js";
import {
  SIM_GEOMETRY,
  SUFFIX_TOKENS,
  searchSuffix,
  simDecision,
  withSuffix,
} from "../../src/target/sim/index.js";
import { Rng } from "../../src/util/rng.js";
import { PLAIN, request } from "./fixtures.js";

const geo = SIM_GEOMETRY;
const opts = (budget: number, seed = 0) => ({ budget, seed, targetPrefix: "Sure, here is" });
const meanLeak = (suffix: string, seeds = 150) => {
  let p = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const d = simDecision(withSuffix(request(PLAIN, { seed }), suffix));
    p += d.pFull + d.pPartial;
  }
  return p / seeds;
};

describe("adversarial suffix search", () => {
  it("finds a suffix that raises the leak probability well above random suffixes of the same length", () => {
    const found = searchSuffix(geo, request(PLAIN), opts(300)).suffix;
    const rng = new Rng("random-suffixes");
    let random = 0;
    for (let i = 0; i < 5; i++) {
      random +=
        meanLeak(
          Array.from({ length: geo.config.suffixLength }, () => rng.pick(SUFFIX_TOKENS)).join(" "),
        ) / 5;
    }
    expect(meanLeak(found)).toBeGreaterThan(2 * random);
    expect(meanLeak(found)).toBeGreaterThan(random + 0.04);
  });

  it("never does worse with more budget, and is deterministic by seed", () => {
    let last = Number.POSITIVE_INFINITY;
    for (const budget of [1, 10, 50, 200]) {
      const r = searchSuffix(geo, request(PLAIN), opts(budget, 7));
      expect(r.refusalScore).toBeLessThanOrEqual(last);
      last = r.refusalScore;
    }
    expect(searchSuffix(geo, request(PLAIN), opts(50, 7))).toEqual(
      searchSuffix(geo, request(PLAIN), opts(50, 7)),
    );
    expect(searchSuffix(geo, request(PLAIN), opts(50, 8)).suffix).not.toBe(
      searchSuffix(geo, request(PLAIN), opts(50, 7)).suffix,
    );
  });

  it("returns suffix tokens from the sim vocabulary through the TargetSystem method", async () => {
    const suffix = await new SimTarget().adversarialSuffix(request(PLAIN), opts(40));
    const tokens = suffix.split(" ");
    expect(tokens).toHaveLength(geo.config.suffixLength);
    for (const t of tokens) expect(SUFFIX_TOKENS).toContain(t);
  });

  it("rejects a non-positive budget and an empty target prefix", () => {
    expect(() => searchSuffix(geo, request(PLAIN), opts(0))).toThrow(
      expect.objectContaining({ code: "validation_error" }),
    );
    expect(() =>
      searchSuffix(geo, request(PLAIN), { budget: 5, seed: 0, targetPrefix: " " }),
    ).toThrow(expect.objectContaining({ code: "validation_error" }));
  });
});
