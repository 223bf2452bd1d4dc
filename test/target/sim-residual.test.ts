import { describe, expect, it } from "vitest";
import type { TargetIntervention } from "../../src/target/index.js";
import {
  computeResidual,
  contentKeyOf,
  readRequest,
  SIM_CONFIG,
  SIM_GEOMETRY,
} from "../../src/target/sim/index.js";
import { noiseAt } from "../../src/target/sim/residual.js";
import { Rng } from "../../src/util/rng.js";
import { PLAIN, request } from "./fixtures.js";

const geo = SIM_GEOMETRY;
const all = Array.from({ length: SIM_CONFIG.nLayers }, (_, l) => l);
const run = (interventions: TargetIntervention[], text = PLAIN) => {
  const req = request(text, { interventions });
  return computeResidual(
    geo,
    readRequest(req.messages, geo.vocab),
    interventions,
    contentKeyOf(req),
    all,
  );
};
const proj = (v: ArrayLike<number>, label: string, l: number) => {
  const u = geo.dirs[l].get(label)!;
  let s = 0;
  for (let i = 0; i < u.length; i++) s += v[i] * u[i];
  return s;
};
const diff = (a: Float64Array, b: Float64Array) => a.map((x, i) => x - b[i]);
const maxAbs = (v: Float64Array) => Math.max(...Array.from(v, Math.abs));

describe("sim residual stream", () => {
  it("adds magnitude · U_l · d̂ (U_l = 1 calibrated unit) at the steered layer and nothing before it", () => {
    const base = run([]);
    const steered = run([{ kind: "steer", layer: 5, label: "compliance", magnitude: 2 }]);
    for (let l = 0; l < 5; l++) expect(maxAbs(diff(steered.x.get(l)!, base.x.get(l)!))).toBe(0);
    const added = diff(steered.x.get(5)!, base.x.get(5)!);
    const u = geo.dirs[5].get("compliance")!;
    for (let i = 0; i < u.length; i++)
      expect(added[i]).toBeCloseTo(2 * geo.library.flipScale!(5)! * u[i], 9);
  });

  it("carries the steering vector on to later layers, decaying by `carry` per layer", () => {
    const base = run([]);
    const steered = run([{ kind: "steer", layer: 5, label: "compliance", magnitude: 2 }]);
    const v = diff(steered.x.get(5)!, base.x.get(5)!);
    for (const k of [1, 3]) {
      const later = diff(steered.x.get(5 + k)!, base.x.get(5 + k)!);
      for (let i = 0; i < v.length; i++)
        expect(later[i]).toBeCloseTo(SIM_CONFIG.carry ** k * v[i], 9);
    }
  });

  // μ_l ⟂ d̂ holds to float32 precision, hence 1e-5 rather than 0.
  it("project_out leaves a zero projection over its layers, and what it removed does not propagate", () => {
    const steer: TargetIntervention = {
      kind: "steer",
      layer: 4,
      label: "compliance",
      magnitude: 3,
    };
    const patched = run([steer, { kind: "project_out", layers: [4, 4], label: "compliance" }]);
    const mu = geo.baseline.mean[4];
    expect(
      Math.abs(proj(diff(patched.x.get(4)!, Float64Array.from(mu)), "compliance", 4)),
    ).toBeLessThan(1e-5);
    // After the patched layer the stream is the unsteered stream with the content's own compliance removed at layer 4.
    const contentOnly = run([{ kind: "project_out", layers: [4, 4], label: "compliance" }]);
    for (const l of [5, 8])
      expect(maxAbs(diff(patched.x.get(l)!, contentOnly.x.get(l)!))).toBeLessThan(1e-5);

    const repe = run([{ kind: "project_out", layers: [4, 7], label: "refusal" }]);
    for (let l = 4; l <= 7; l++) {
      expect(
        Math.abs(proj(diff(repe.x.get(l)!, Float64Array.from(geo.baseline.mean[l])), "refusal", l)),
      ).toBeLessThan(1e-5);
    }
  });

  it("mean_ablate sets every library component to its benign mean and stops upstream steering there", () => {
    const steer: TargetIntervention = { kind: "steer", layer: 2, label: "authority", magnitude: 3 };
    const ablated = run([steer, { kind: "mean_ablate", layer: 3 }]);
    const steeredOnly = run([steer]);
    const clean = run([]);
    const mu = Float64Array.from(geo.baseline.mean[3]);
    for (const label of SIM_GEOMETRY.library.labels)
      expect(Math.abs(proj(diff(ablated.x.get(3)!, mu), label, 3))).toBeLessThan(1e-5);
    // What the library does not span (here the request's extraction intent) survives, as on the lens target.
    expect(proj(ablated.x.get(3)!, "intent_extraction", 3)).toBeCloseTo(
      proj(steeredOnly.x.get(3)!, "intent_extraction", 3),
      5,
    );
    expect(proj(ablated.x.get(3)!, "intent_extraction", 3)).toBeGreaterThan(0.05 * geo.norms[3]);
    // A steer at the ablated layer is gone (to float32 precision); one from layer 2 has drifted partly out of
    // layer 3's library span (directions drift), so only that part goes on.
    const norm = (v: Float64Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    const sameLayer: TargetIntervention = { ...steer, layer: 3 };
    const ablatedOnly = run([{ kind: "mean_ablate", layer: 3 }]);
    const gone = run([sameLayer, { kind: "mean_ablate", layer: 3 }]);
    for (const l of [4, 9])
      expect(maxAbs(diff(gone.x.get(l)!, ablatedOnly.x.get(l)!))).toBeLessThan(1e-5);
    const kept = norm(diff(ablated.x.get(4)!, ablatedOnly.x.get(4)!));
    const unpatched = norm(diff(steeredOnly.x.get(4)!, clean.x.get(4)!));
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(0.6 * unpatched);
  });

  it("masking the refusal heads lowers the refusal signal; masking other heads barely changes it", () => {
    const layer = SIM_CONFIG.refusalHeadLayers[0].layer;
    const refusalHeads = [...geo.refusalHeads[layer]];
    const others = Array.from({ length: SIM_CONFIG.nHeads }, (_, h) => h)
      .filter((h) => !refusalHeads.includes(h))
      .slice(0, refusalHeads.length);
    const base = run([]);
    const bypass = run([{ kind: "head_mask", layer, heads: refusalHeads }]);
    const wrong = run([{ kind: "head_mask", layer, heads: others }]);
    const refusalAt = (t: typeof base, l: number) => proj(t.dev[l], "refusal", l) / geo.norms[l];
    expect(refusalAt(bypass, 5)).toBeLessThan(0.5 * refusalAt(base, 5));
    expect(Math.abs(refusalAt(wrong, 5) - refusalAt(base, 5))).toBeLessThan(
      0.05 * refusalAt(base, 5),
    );
  });

  it("draws the same noise for a layer whatever other layers are computed", () => {
    const req = request(PLAIN, { seed: 9 });
    const reading = readRequest(req.messages, geo.vocab);
    const one = computeResidual(geo, reading, [], contentKeyOf(req), [6], 6);
    const many = computeResidual(geo, reading, [], contentKeyOf(req), all);
    expect(Array.from(one.x.get(6)!)).toEqual(Array.from(many.x.get(6)!));
  });

  it("draws each layer's noise exactly as an Rng keyed by content and layer would (issue 16)", () => {
    // The reference: the draws as written before sfc32 was inlined, bit for bit.
    const reference = (key: string, layer: number) => {
      const rng = new Rng(`${key}/L${layer}`);
      const sig = geo.sigma[layer];
      const n = new Float64Array(sig.length);
      for (let i = 0; i < n.length; i += 2) {
        let u = 0;
        let v = 0;
        let q = 0;
        do {
          u = 2 * rng.next() - 1;
          v = 2 * rng.next() - 1;
          q = u * u + v * v;
        } while (q >= 1 || q === 0);
        const f = Math.sqrt((-2 * Math.log(q)) / q);
        n[i] = sig[i] * u * f;
        if (i + 1 < n.length) n[i + 1] = sig[i + 1] * v * f;
      }
      return Array.from(n);
    };
    for (const key of ["1/0", "3735928559/42", "x"])
      for (const layer of [0, 4, 7, 11]) {
        expect(Array.from(noiseAt(geo, key, layer))).toStrictEqual(reference(key, layer));
      }
    // The residual's cached noise is the same draw: x_l is the reference noise + (μ_l + dev_l).
    const req = request(PLAIN, { seed: 4 });
    const key = contentKeyOf(req);
    const trace = computeResidual(geo, readRequest(req.messages, geo.vocab), [], key, [5], 5);
    const n = reference(key, 5);
    const mu = geo.baseline.mean[5];
    const dev = trace.dev[5];
    expect(Array.from(trace.x.get(5)!)).toStrictEqual(n.map((x, i) => x + (mu[i] + dev[i])));
  });
});
