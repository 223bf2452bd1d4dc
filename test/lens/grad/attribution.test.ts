// Attribution patching on tiny models with a planted steering vector: the layer
// where the vector was added must rank first, for every layer it is planted at,
// on two architectures and seeds the code was not tuned on; and on a run with no
// difference from the baseline every effect is exactly zero.
import { afterAll, describe, expect, it } from "vitest";
import { attributionPatching } from "../../../src/lens/attribution.js";
import { loadCheckpoint } from "../../../src/lens/checkpoint.js";
import { residPost } from "../../../src/lens/hooks.js";
import { fromTensors } from "../../../src/lens/model.js";
import { Rng } from "../../../src/util/rng.js";
import { removeFixtures, tinyDir } from "../ort-fixtures.js";

afterAll(() => removeFixtures());

const TOKENS = [12, 40, 7, 99, 3, 61, 25];

describe("attributionPatching", () => {
  for (const arch of ["llama", "gemma2", "gpt2"] as const) {
    it(`${arch}: ranks the layer with the planted steering vector first`, async () => {
      const ck = loadCheckpoint(tinyDir(arch, { layers: 4, seed: 11 }));
      const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
      try {
        const { dModel: d, vocabSize: V, nLayers: L } = ck.config;
        const clean = await model.runWithCache(TOKENS, []);
        const last = (x: Float32Array) => x.subarray((TOKENS.length - 1) * V);
        for (let layer = 0; layer < L; layer++) {
          const rng = new Rng(`plant/${arch}/${layer}`);
          const vector = Array.from({ length: d }, () => rng.normal());
          const current = [{ kind: "add" as const, hook: residPost(layer), vector, scale: 0.5 }];
          // The metric is the logit difference the vector moves most: what Blue would watch.
          const steered = await model.runWithHooks(TOKENS, current);
          const delta = Array.from(
            last(steered.logits.data),
            (v, i) => v - last(clean.logits.data)[i],
          );
          const a = delta.indexOf(Math.max(...delta));
          const b = delta.indexOf(Math.min(...delta));
          const res = await attributionPatching(
            model,
            TOKENS,
            { kind: "logit_diff", a, b },
            { current, heads: true },
          );
          expect(res.rankedLayers[0].layer, JSON.stringify(res.layers)).toBe(layer);
          expect(res.rankedLayers[0].effect).toBeLessThan(0); // patching the vector out lowers the metric
          expect(res.heads).toHaveLength(L * ck.config.nHeads);
          expect(res.cost).toEqual({
            forwardPasses: 2,
            backwardPasses: 1,
            activationPatchingForwardPasses: 1 + L + L * ck.config.nHeads,
          });
        }
        const same = await attributionPatching(
          model,
          TOKENS,
          { kind: "logit_diff", a: 1, b: 2 },
          { heads: true },
        );
        expect([...same.layers, ...same.heads].every((s) => s.effect === 0)).toBe(true);
      } finally {
        await model.close();
      }
    });
  }
});
