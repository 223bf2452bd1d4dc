// Each intervention on the ORT runtime, with its expected effect computed
// independently: from an unintervened run plus arithmetic, and against the
// reference forward given the same list. Also guards that each write really
// changes the output (a no-op cannot pass as "supported").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Checkpoint, loadCheckpoint } from "../../src/lens/checkpoint.js";
import { fromTensors, type LensModel } from "../../src/lens/model.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { Rng } from "../../src/util/rng.js";
import { maxAbsDiff, removeFixtures, tinyDir } from "./ort-fixtures.js";

const TOL = 1e-4;
const TOKENS = [5, 60, 7, 200, 31, 14, 90];
let ck: Checkpoint;
let model: LensModel;
let d: number;

const randomVector = (seed: string, n: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal());
};
const row = (x: Float32Array, p: number) => x.subarray(p * d, (p + 1) * d);

beforeAll(async () => {
  ck = loadCheckpoint(tinyDir("gemma2")); // sandwich norms, soft-caps, sliding layer: the hardest path
  model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
  d = ck.config.dModel;
});
afterAll(async () => {
  await model.close();
  removeFixtures();
});

describe("interventions on the ORT runtime", () => {
  it("add at resid_post(0) changes resid_pre(1) by exactly scale·vector at the chosen positions only", async () => {
    const vector = randomVector("v", d);
    const base = (await model.runWithCache(TOKENS, ["blocks.1.hook_resid_pre"])).cache.get(
      "blocks.1.hook_resid_pre",
    )!.data;
    const { captures, logits } = await model.runWithHooks(TOKENS, [
      { kind: "add", hook: "blocks.0.hook_resid_post", vector, scale: 2.5, positions: [1, 4] },
      { kind: "capture", hook: "blocks.1.hook_resid_pre", reduce: "all" },
    ]);
    const after = captures[0].value;
    for (let p = 0; p < TOKENS.length; p++) {
      const expected = Array.from(
        row(base, p),
        (x, i) => x + ([1, 4].includes(p) ? 2.5 * vector[i] : 0),
      );
      expect(maxAbsDiff(row(after, p), expected), `position ${p}`).toBeLessThan(1e-5);
    }
    const ref = referenceForward(ck, TOKENS, {
      interventions: [
        { kind: "add", hook: "blocks.0.hook_resid_post", vector, scale: 2.5, positions: [1, 4] },
      ],
    });
    expect(maxAbsDiff(logits.data, ref.logits)).toBeLessThan(TOL);
  });

  it("project_out leaves a zero projection on the direction and matches the reference", async () => {
    const direction = randomVector("dir", d);
    const norm = Math.hypot(...direction);
    const list = [
      { kind: "project_out" as const, hook: "blocks.1.hook_resid_mid", direction },
      { kind: "capture" as const, hook: "blocks.1.hook_resid_mid", reduce: "all" as const },
    ];
    const { captures, logits } = await model.runWithHooks(TOKENS, list);
    for (let p = 0; p < TOKENS.length; p++) {
      const dot = row(captures[0].value, p).reduce((s, x, i) => s + (x * direction[i]) / norm, 0);
      expect(Math.abs(dot)).toBeLessThan(1e-5);
    }
    const ref = referenceForward(ck, TOKENS, { interventions: list });
    expect(maxAbsDiff(logits.data, ref.logits)).toBeLessThan(TOL);
    const plain = await model.runWithCache(TOKENS, []);
    expect(maxAbsDiff(logits.data, plain.logits.data)).toBeGreaterThan(1e-3);
  });

  it("replace and mean_ablate set every position to the given values", async () => {
    const values = randomVector("vals", d);
    for (const kind of ["replace", "mean_ablate"] as const) {
      const list = [
        { kind, hook: "blocks.0.hook_mlp_out", values },
        { kind: "capture" as const, hook: "blocks.0.hook_mlp_out", reduce: "all" as const },
      ];
      const { captures, logits } = await model.runWithHooks(TOKENS, list);
      const f32 = Float32Array.from(values);
      for (let p = 0; p < TOKENS.length; p++)
        expect(maxAbsDiff(row(captures[0].value, p), f32)).toBe(0);
      expect(
        maxAbsDiff(logits.data, referenceForward(ck, TOKENS, { interventions: list }).logits),
      ).toBeLessThan(TOL);
    }
  });

  it("head_mask zeroes those heads' z and equals the reference with the heads zeroed", async () => {
    const { nHeads, headDim } = ck.config;
    const list = [
      { kind: "head_mask" as const, layer: 1, heads: [0, 2] },
      { kind: "capture" as const, hook: "blocks.1.attn.hook_z", reduce: "all" as const },
    ];
    const { captures, logits } = await model.runWithHooks(TOKENS, list);
    const z = captures[0].value;
    for (let p = 0; p < TOKENS.length; p++) {
      for (let h = 0; h < nHeads; h++) {
        const head = z.subarray((p * nHeads + h) * headDim, (p * nHeads + h + 1) * headDim);
        const zero = head.every((x) => x === 0);
        expect(zero, `position ${p} head ${h}`).toBe(h === 0 || h === 2);
      }
    }
    const ref = referenceForward(ck, TOKENS, { headMask: [{ layer: 1, heads: [0, 2] }] });
    expect(maxAbsDiff(logits.data, ref.logits)).toBeLessThan(TOL);
    const plain = await model.runWithCache(TOKENS, []);
    expect(maxAbsDiff(logits.data, plain.logits.data)).toBeGreaterThan(1e-3);
  });

  it("capture reduces last | mean | all consistently with runWithCache", async () => {
    const hook = "blocks.0.hook_resid_post";
    const full = (await model.runWithCache(TOKENS, [hook])).cache.get(hook)!.data;
    const { captures } = await model.runWithHooks(TOKENS, [
      { kind: "capture", hook, reduce: "last" },
      { kind: "capture", hook, reduce: "mean" },
      { kind: "capture", hook, reduce: "all" },
    ]);
    expect(captures.map((c) => c.reduce)).toEqual(["last", "mean", "all"]);
    expect(maxAbsDiff(captures[0].value, row(full, TOKENS.length - 1))).toBe(0);
    const mean = Array.from(
      { length: d },
      (_, i) => TOKENS.reduce((s, _t, p) => s + full[p * d + i], 0) / TOKENS.length,
    );
    expect(maxAbsDiff(captures[1].value, mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(captures[2].value, full)).toBe(0);
  });

  it("a TypeScript hook function edits the residual stream like the reference's", async () => {
    const double = (_name: string, x: Float32Array) => {
      for (let i = 0; i < x.length; i++) x[i] *= 2;
    };
    const ort = await model.runWithHooks(TOKENS, [], {
      hookFns: { "blocks.0.hook_resid_mid": double },
    });
    const ref = referenceForward(ck, TOKENS, {
      hookFn: (name, x) => (name === "blocks.0.hook_resid_mid" ? double(name, x) : undefined),
    });
    expect(maxAbsDiff(ort.logits.data, ref.logits)).toBeLessThan(TOL);
    const replaced = await model.runWithHooks(TOKENS, [], {
      hookFns: { "blocks.0.hook_resid_mid": (_n, x) => x.map((v) => v * 2) },
    });
    expect(maxAbsDiff(replaced.logits.data, ref.logits)).toBeLessThan(TOL);
  });

  it("rejects malformed interventions with clear validation errors", async () => {
    await expect(
      model.runWithHooks(TOKENS, [
        { kind: "add", hook: "blocks.0.hook_resid_pre", vector: [1, 2] },
      ]),
    ).rejects.toThrow(/d_model/);
    await expect(
      model.runWithHooks(TOKENS, [
        { kind: "add", hook: "blocks.9.hook_resid_pre", vector: randomVector("x", d) },
      ]),
    ).rejects.toThrow(/hook point/);
    await expect(
      model.runWithHooks(TOKENS, [
        { kind: "replace", hook: "blocks.0.attn.hook_z", values: randomVector("x", d) },
      ]),
    ).rejects.toThrow(/head_mask/);
    await expect(
      model.runWithHooks(TOKENS, [{ kind: "head_mask", layer: 0, heads: [99] }]),
    ).rejects.toThrow(/head 99/);
    await expect(model.runWithCache(TOKENS, ["blocks.0.hook_nope"])).rejects.toThrow(
      /unknown hook/,
    );
    await expect(model.runWithCache([ck.config.vocabSize], [])).rejects.toThrow(/vocabulary/);
  });
});
