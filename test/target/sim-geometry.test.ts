import { describe, expect, it } from "vitest";
import { DIRECTION_LABELS } from "../../src/arena/schema.js";
import {
  buildSimGeometry,
  SIM_CONFIG,
  SIM_DIRECTIONS,
  SIM_GEOMETRY,
} from "../../src/target/sim/index.js";

const geo = SIM_GEOMETRY;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe("sim geometry", () => {
  it("is built from the sim seed alone, identically every time", () => {
    const again = buildSimGeometry(SIM_CONFIG);
    expect(Array.from(again.library.direction("refusal", 5))).toEqual(
      Array.from(geo.library.direction("refusal", 5)),
    );
    expect(Array.from(again.baseline.mean[3])).toEqual(Array.from(geo.baseline.mean[3]));
    expect(again.refusalHeads).toEqual(geo.refusalHeads);
  });

  it("holds orthonormal library and hidden directions at every layer", () => {
    for (let l = 0; l < SIM_CONFIG.nLayers; l++) {
      for (const a of SIM_DIRECTIONS) {
        const u = geo.dirs[l].get(a)!;
        expect(dot(u, u)).toBeCloseTo(1, 5);
        for (const b of SIM_DIRECTIONS)
          if (a < b) expect(Math.abs(dot(u, geo.dirs[l].get(b)!))).toBeLessThan(1e-5);
      }
    }
  });

  it("lets each direction drift slowly across layers, as real refusal directions do", () => {
    for (const label of DIRECTION_LABELS) {
      const c1 = dot(geo.library.direction(label, 5), geo.library.direction(label, 6));
      const c5 = dot(geo.library.direction(label, 2), geo.library.direction(label, 7));
      expect(c1).toBeGreaterThan(0.7);
      expect(c1).toBeLessThan(0.97);
      expect(c5).toBeLessThan(c1);
    }
  });

  it("has a clean mean orthogonal to every direction and norms that grow with depth", () => {
    for (let l = 0; l < SIM_CONFIG.nLayers; l++) {
      const mu = geo.baseline.mean[l];
      for (const name of SIM_DIRECTIONS)
        expect(Math.abs(dot(mu, geo.dirs[l].get(name)!))).toBeLessThan(1e-4);
      const T = geo.library.typicalNorm(l);
      const meanNorm = Math.sqrt(dot(mu, mu));
      const sigmaNorm = Math.sqrt(geo.baseline.variance[l].reduce((s, v) => s + v, 0));
      expect(Math.hypot(meanNorm, sigmaNorm)).toBeCloseTo(T, 3);
      if (l > 0) expect(T).toBeGreaterThan(geo.library.typicalNorm(l - 1));
    }
  });

  it("reports only the game's labels and rejects unknown ones with config_error", () => {
    expect(geo.library.labels).toEqual(DIRECTION_LABELS);
    expect(() => geo.library.direction("intent_extraction", 3)).toThrow(
      expect.objectContaining({ code: "config_error" }),
    );
    expect(() => geo.library.direction("compliance", 12)).toThrow(
      expect.objectContaining({ code: "config_error" }),
    );
  });

  it("places refusal heads in the middle layers only", () => {
    const layers = geo.refusalHeads.flatMap((hs, l) => (hs.length > 0 ? [l] : []));
    expect(layers).toEqual(SIM_CONFIG.refusalHeadLayers.map((r) => r.layer));
    for (const hs of geo.refusalHeads)
      for (const h of hs) expect(h).toBeLessThan(SIM_CONFIG.nHeads);
  });
});
