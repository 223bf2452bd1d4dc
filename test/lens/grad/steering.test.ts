// Learned steering vectors on a tiny model: the optimised vector raises the
// likelihood of the target completions on its training prompts and on held-out
// prompts it never saw, stays inside its norm bound, and the reported loss is
// the reference forward's loss with that vector added.
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../../src/lens/checkpoint.js";
import { fromTensors } from "../../../src/lens/model.js";
import { learnSteeringVector } from "../../../src/lens/steering.js";
import { Rng } from "../../../src/util/rng.js";
import { removeFixtures, tinyDir } from "../ort-fixtures.js";
import { referenceLoss } from "./fd.js";

afterAll(() => removeFixtures());

describe("learnSteeringVector", () => {
  it("raises the likelihood of the completion, also on held-out prompts", async () => {
    const ck = loadCheckpoint(tinyDir("qwen3"));
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      const rng = new Rng("steer-examples");
      const V = ck.config.vocabSize;
      const prompt = () => Array.from({ length: 5 }, () => 3 + rng.int(V - 3));
      const completion = [42, 77];
      const train = Array.from({ length: 3 }, () => ({ prompt: prompt(), completion }));
      const held = Array.from({ length: 3 }, () => ({ prompt: prompt(), completion }));
      const res = await learnSteeringVector(model, train, {
        layer: 0,
        steps: 20,
        lr: 0.2,
        maxNorm: 20,
      });
      expect(res.history).toHaveLength(21);
      const [first, last] = [res.history[0], res.history.at(-1)!];
      expect(last).toBeLessThan(0.5 * first);
      expect(Math.hypot(...res.vector)).toBeLessThanOrEqual(20 + 1e-6);
      const add = [{ kind: "add" as const, hook: res.hook, vector: res.vector, scale: 1 }];
      const lossOf = (ex: (typeof held)[number], iv: typeof add | []) =>
        referenceLoss(ck, ex.prompt, { kind: "ce", target: completion }, null, null, iv);
      const trainRef = train.reduce((s, ex) => s + lossOf(ex, add), 0) / train.length;
      expect(trainRef).toBeCloseTo(last, 3);
      const heldBefore = held.reduce((s, ex) => s + lossOf(ex, []), 0);
      const heldAfter = held.reduce((s, ex) => s + lossOf(ex, add), 0);
      expect(heldAfter).toBeLessThan(0.6 * heldBefore);
      // On the sphere only the direction moves: the norm stays the one asked for.
      const init = Array.from({ length: ck.config.dModel }, (_, i) => (i === 0 ? 1 : 0));
      const onSphere = await learnSteeringVector(model, train, {
        layer: 0,
        steps: 3,
        lr: 0.2,
        maxNorm: 5,
        init,
        norm: "sphere",
      });
      expect(Math.hypot(...onSphere.vector)).toBeCloseTo(5, 6);
      expect(onSphere.history.at(-1)!).toBeLessThan(onSphere.history[0]);
      await expect(
        learnSteeringVector(model, train, { layer: 0, maxNorm: 5, norm: "sphere" }),
      ).rejects.toThrow(/non-zero init/);
      await expect(learnSteeringVector(model, [], { layer: 0 })).rejects.toThrow(/examples/);
      await expect(
        learnSteeringVector(model, train, { layer: 0, hook: "blocks.0.attn.hook_z" }),
      ).rejects.toThrow(/residual hook/);
    } finally {
      await model.close();
    }
  });
});
