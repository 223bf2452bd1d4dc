import { describe, expect, it } from "vitest";
import { SIM_CONFIG, typicalNormOf } from "../../src/target/sim/config.js";
import { measureFlip } from "../../src/target/sim/flip.js";
import { buildSimGeometry, SIM_GEOMETRY } from "../../src/target/sim/index.js";

// GAME.md §5: 1 calibrated unit is the scale at which steering against `refusal`
// at that layer flips behaviour on held-out harmful prompts. Measured here by a
// sweep (bisection) on the sim itself, not read back from the stored constants.
const rows = measureFlip(SIM_GEOMETRY, { seeds: 8, tol: 0.01 });
const decision = SIM_CONFIG.decisionLayers as readonly number[];

describe("sim calibrated magnitude units", () => {
  it("flips refusal at ~1.0 calibrated unit at every layer that can reach the decision", () => {
    for (const layer of [2, 3, 4, 5, 6, 7]) {
      const row = rows[layer];
      expect(row.base).toBeGreaterThan(0.9);
      expect(row.flip, `layer ${layer}`).not.toBeNull();
      expect(row.flip!, `layer ${layer}`).toBeGreaterThanOrEqual(0.7);
      expect(row.flip!, `layer ${layer}`).toBeLessThanOrEqual(1.4);
    }
  });

  it("does not flip at layers after the decision, nor near 1 unit where the steer has decayed", () => {
    for (const layer of [8, 9, 10, 11]) {
      expect(layer).toBeGreaterThan(Math.max(...decision));
      expect(rows[layer].flip).toBeNull();
    }
    for (const layer of [0, 1]) {
      const f = rows[layer].flip;
      expect(f === null || f > 1.4).toBe(true);
    }
  });

  it("exposes 1 unit's residual norm as the library's flip scale, as the lens artifact does", () => {
    for (let l = 0; l < SIM_CONFIG.nLayers; l++) {
      expect(SIM_GEOMETRY.library.flipScale?.(l)).toBeCloseTo(
        SIM_CONFIG.steerUnit[l] * typicalNormOf(SIM_CONFIG, l),
        9,
      );
    }
    expect(SIM_GEOMETRY.library.flipScale?.(SIM_CONFIG.nLayers)).toBeUndefined();
  });

  it("in raw norm units flips at different fractions of T_l per layer (why the units exist)", () => {
    const raw = buildSimGeometry({
      ...SIM_CONFIG,
      steerUnit: SIM_CONFIG.steerUnit.map(() => 1),
    });
    const flips = measureFlip(raw, { seeds: 8, tol: 0.02 }).slice(2, 8);
    const values = flips.map((r) => r.flip!);
    expect(Math.max(...values) / Math.min(...values)).toBeGreaterThan(2);
  });
});
