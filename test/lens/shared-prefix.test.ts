// Scoring continuations of a shared prefix (runtime/shared-prefix.ts) gives the logits a
// whole forward pass gives at the same positions: tails of different lengths in one
// batch, under a steer and a head mask, on each architecture the runtime supports; and
// the engine's `logits: n` returns exactly the last n rows of `logits: "all"`.
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import type { InterventionInput } from "../../src/lens/interventions.js";
import { fromTensors, type LensModel } from "../../src/lens/model.js";
import { Engine } from "../../src/lens/runtime/engine.js";
import type { TinyArch } from "../../src/lens/tiny.js";
import { Rng } from "../../src/util/rng.js";
import { maxAbsDiff, removeFixtures, tinyDir } from "./ort-fixtures.js";

afterAll(removeFixtures);
const models: LensModel[] = [];
afterAll(async () => {
  for (const m of models) await m.close();
});

async function open(arch: TinyArch) {
  const ck = loadCheckpoint(tinyDir(arch, arch === "gemma4" ? { layers: 6 } : {}));
  const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
  models.push(model);
  return model;
}

const ids = (seed: string, n: number, vocab: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => 3 + rng.int(vocab - 3));
};

describe("shared-prefix scoring", () => {
  for (const arch of ["qwen2", "gpt2", "gemma4"] as const) {
    it(`${arch}: the last k logits of prefix + tail equal a whole forward pass's`, async () => {
      const model = await open(arch);
      const { vocabSize: v, dModel: d } = model.config;
      const rng = new Rng("steer");
      const ivs: InterventionInput[] = [
        {
          kind: "add",
          hook: "blocks.0.hook_resid_post",
          vector: Array.from({ length: d }, () => rng.normal() * 0.5),
          positions: "all",
        },
        { kind: "head_mask", layer: 1, heads: [0] },
      ];
      const prefix = ids("prefix", 37, v);
      const tails = [ids("a", 9, v), ids("b", 5, v), ids("c", 12, v)];
      const k = 4;
      const scorer = await model.sharedPrefix(prefix, ivs);
      const got = await scorer.tails(tails, k);
      for (const [i, tail] of tails.entries()) {
        const seq = [...prefix, ...tail];
        const whole = (await model.runWithHooks(seq, ivs)).logits.data;
        const want = whole.subarray((seq.length - k) * v, seq.length * v);
        expect(got[i].length).toBe(k * v);
        expect(maxAbsDiff(got[i], want), `tail ${i}`).toBeLessThan(1e-4);
      }
    });
  }

  it("the engine's `logits: n` gives the last n rows of each row's `logits: \"all\"`", async () => {
    const ck = loadCheckpoint(tinyDir("qwen2"));
    const engine = await Engine.create(ck.config, ck.tensors, { threads: 1 });
    try {
      const v = ck.config.vocabSize;
      const seq = [...ids("r0", 7, v), ...ids("r1", 7, v)];
      const positions = Int32Array.from({ length: 14 }, (_, i) => i % 7);
      const run = (logits: "all" | number) =>
        engine.step({ batch: 2, ids: seq, positions, cache: engine.emptyCache(2), logits });
      const all = (await run("all")).logits;
      const last3 = (await run(3)).logits;
      expect(last3.length).toBe(2 * 3 * v);
      for (const r of [0, 1])
        expect(
          maxAbsDiff(
            last3.subarray(r * 3 * v, (r + 1) * 3 * v),
            all.subarray((r * 7 + 4) * v, (r + 1) * 7 * v),
          ),
        ).toBe(0);
      await expect(run(8)).rejects.toThrow(/last 8 of 7/);
      await expect(run(0)).rejects.toThrow(/last 0 of 7/);
    } finally {
      await engine.close();
    }
  });

  it("an empty prefix scores the tails alone", async () => {
    const model = await open("qwen2");
    const v = model.config.vocabSize;
    const seq = ids("alone", 11, v);
    const [got] = await (await model.sharedPrefix([])).tails([seq], 3);
    const whole = (await model.runWithHooks(seq, [])).logits.data;
    expect(maxAbsDiff(got, whole.subarray(8 * v, 11 * v))).toBeLessThan(1e-4);
  });

  it("refuses tails shorter than k, captures, and ids outside the vocabulary", async () => {
    const model = await open("qwen2");
    const v = model.config.vocabSize;
    const scorer = await model.sharedPrefix(ids("p", 5, v));
    await expect(scorer.tails([[4, 5]], 3)).rejects.toThrow(/at least k = 3/);
    await expect(scorer.tails([[v + 1]], 1)).rejects.toThrow(/outside the vocabulary/);
    await expect(
      model.sharedPrefix(ids("p", 5, v), [
        { kind: "capture", hook: "blocks.0.hook_resid_post", reduce: "last" },
      ]),
    ).rejects.toThrow(/captures/);
  });
});
