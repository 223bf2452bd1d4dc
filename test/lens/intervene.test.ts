import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attnZ, residPost, residPre } from "../../src/lens/hooks.js";
import {
  applyAdd,
  applyAtHook,
  applyHeadMask,
  applyProjectOut,
  applyReplace,
  headMaskFor,
  rangePositions,
  reduceCapture,
  validateInterventions,
} from "../../src/lens/intervene.js";
import { InterventionListSchema, InterventionSchema } from "../../src/lens/interventions.js";

const d = 4;
const matrix = (rows: number) =>
  Float32Array.from({ length: rows * d }, (_, i) => (i % 7) - 3 + i / 10);
const row = (x: Float32Array, r: number) => [...x.subarray(r * d, (r + 1) * d)];
const parse = (v: unknown) => InterventionSchema.parse(v);
const maxAbs = (a: number[]) => Math.max(...a.map(Math.abs));

describe("intervention maths", () => {
  it("add changes exactly the chosen absolute positions by scale × vector", () => {
    const x = matrix(4);
    const before = x.slice();
    const iv = parse({
      kind: "add",
      hook: residPre(0),
      vector: [1, 2, 3, 4],
      scale: 0.5,
      positions: [11, 13],
    });
    if (iv.kind !== "add") throw new Error();
    applyAdd(x, d, rangePositions(10, 4), iv); // rows hold positions 10..13
    for (let r = 0; r < 4; r++) {
      const delta = row(x, r).map((v, i) => v - before[r * d + i]);
      if (r === 1 || r === 3)
        expect(maxAbs(delta.map((v, i) => v - 0.5 * (i + 1)))).toBeLessThan(1e-6);
      else expect(delta).toEqual([0, 0, 0, 0]);
    }
  });

  it("add at all positions leaves padding rows (position -1) alone", () => {
    const x = matrix(3);
    const iv = parse({ kind: "add", hook: residPre(0), vector: [1, 1, 1, 1] });
    if (iv.kind !== "add") throw new Error();
    expect(iv.positions).toBe("all");
    applyAdd(x, d, [-1, 0, 1], iv);
    expect(row(x, 0)).toEqual(row(matrix(3), 0));
    expect(row(x, 1)).toEqual(row(matrix(3), 1).map((v) => Math.fround(v + 1)));
  });

  it("project_out leaves a zero projection and keeps the orthogonal part", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), {
          minLength: 3 * d,
          maxLength: 3 * d,
        }),
        fc
          .array(fc.float({ min: -5, max: 5, noNaN: true }), { minLength: d, maxLength: d })
          .filter((v) => Math.hypot(...v) > 0.1),
        (values, direction) => {
          const x = Float32Array.from(values);
          const before = x.slice();
          const iv = parse({ kind: "project_out", hook: residPost(0), direction });
          if (iv.kind !== "project_out") throw new Error();
          applyProjectOut(x, d, rangePositions(0, 3), iv);
          const n = Math.hypot(...direction);
          const u = direction.map((v) => v / n);
          for (let r = 0; r < 3; r++) {
            const dot = row(x, r).reduce((s, v, i) => s + v * u[i], 0);
            const scale = Math.max(1, Math.hypot(...row(before, r)));
            expect(Math.abs(dot)).toBeLessThan(1e-5 * scale);
            // x_after − x_before is parallel to the direction.
            const delta = row(x, r).map((v, i) => v - before[r * d + i]);
            const along = delta.reduce((s, v, i) => s + v * u[i], 0);
            expect(maxAbs(delta.map((v, i) => v - along * u[i]))).toBeLessThan(1e-5 * scale);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("replace and mean_ablate set every non-padding row to the values", () => {
    for (const kind of ["replace", "mean_ablate"]) {
      const x = matrix(3);
      const iv = parse({ kind, hook: residPost(1), values: [9, 8, 7, 6] });
      if (iv.kind !== "replace" && iv.kind !== "mean_ablate") throw new Error();
      applyReplace(x, d, [0, 1, -1], iv);
      expect(row(x, 0)).toEqual([9, 8, 7, 6]);
      expect(row(x, 1)).toEqual([9, 8, 7, 6]);
      expect(row(x, 2)).toEqual(row(matrix(3), 2));
    }
  });

  it("capture reduces over non-padding rows: last, mean, all", () => {
    const x = Float32Array.from([1, 1, 1, 1, 2, 4, 6, 8, 4, 8, 12, 16, 7, 7, 7, 7]);
    const rows = [-1, 0, 1, -1];
    expect([...reduceCapture(x, d, rows, "last")]).toEqual([4, 8, 12, 16]);
    expect([...reduceCapture(x, d, rows, "mean")]).toEqual([3, 6, 9, 12]);
    expect([...reduceCapture(x, d, rows, "all")]).toEqual([2, 4, 6, 8, 4, 8, 12, 16]);
  });

  it("applies the interventions at a hook in list order; a capture sees the value at its place in the list", () => {
    const x = new Float32Array(2 * d);
    const list = InterventionListSchema.parse([
      { kind: "capture", hook: residPre(2), reduce: "last" },
      { kind: "add", hook: residPre(2), vector: [1, 0, 0, 0] },
      { kind: "add", hook: residPre(3), vector: [0, 100, 0, 0] },
      { kind: "capture", hook: residPre(2), reduce: "mean" },
      { kind: "replace", hook: residPre(2), values: [5, 5, 5, 5] },
    ]);
    const caps = applyAtHook(x, d, rangePositions(0, 2), residPre(2), list);
    expect(caps.map((c) => [c.index, [...c.value]])).toEqual([
      [0, [0, 0, 0, 0]],
      [3, [1, 0, 0, 0]],
    ]);
    expect([...x]).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
  });

  it("head_mask becomes a per-head 0/1 vector that zeroes exactly those heads of z", () => {
    const list = InterventionListSchema.parse([
      { kind: "head_mask", layer: 1, heads: [0, 2] },
      { kind: "head_mask", layer: 0, heads: [1] },
    ]);
    expect(headMaskFor(2, 3, list)).toBeNull();
    const mask = headMaskFor(1, 3, list)!;
    expect([...mask]).toEqual([0, 1, 0]);
    const z = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i + 1); // [pos 2, heads 3, hd 2]
    applyHeadMask(z, 3, 2, mask);
    expect([...z]).toEqual([0, 0, 3, 4, 0, 0, 0, 0, 9, 10, 0, 0]);
  });

  it("validates hooks, lengths, layers and heads against the model before running", () => {
    const model = { nLayers: 2, nHeads: 4, dModel: d };
    const check = (v: unknown) => () =>
      validateInterventions(InterventionListSchema.parse([v]), model);
    expect(check({ kind: "add", hook: residPost(1), vector: [1, 2, 3, 4] })).not.toThrow();
    expect(check({ kind: "capture", hook: attnZ(1) })).not.toThrow();
    expect(check({ kind: "add", hook: residPost(2), vector: [1, 2, 3, 4] })).toThrow(
      /not a hook point of this 2-layer model/,
    );
    expect(check({ kind: "add", hook: "blocks.0.resid_post", vector: [1, 2, 3, 4] })).toThrow(
      /not a hook point/,
    );
    expect(check({ kind: "project_out", hook: residPost(0), direction: [1, 2] })).toThrow(
      /length 2.*d_model is 4/,
    );
    expect(check({ kind: "add", hook: attnZ(0), vector: [1, 2, 3, 4] })).toThrow(/use head_mask/);
    expect(check({ kind: "head_mask", layer: 0, heads: [4] })).toThrow(/head 4 does not exist/);
    expect(check({ kind: "head_mask", layer: 3, heads: [0] })).toThrow(/layer 3 does not exist/);
  });
});
