// ORT forward vs the plain-TS reference forward (the oracle), for every
// architecture, on tiny random checkpoints in f32 and from bf16 weights: logits
// and every hook point. Tolerance: 1e-4 absolute. Both sides compute in f32 from
// the same (upcast) weights, so they differ only by summation order; measured
// max |diff| is ~1e-5 on logits, ~5e-6 on hooks.
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { allHookNames, hookShape } from "../../src/lens/hooks.js";
import { fromTensors } from "../../src/lens/model.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { TINY_ARCHS } from "../../src/lens/tiny.js";
import { maxAbsDiff, removeFixtures, tinyDir } from "./ort-fixtures.js";

const TOL = 1e-4;
const TOKENS = [3, 17, 42, 99, 150, 7, 250, 11, 64];

afterAll(removeFixtures);

describe("ORT forward equals the reference forward", () => {
  for (const dtype of ["f32", "bf16"] as const) {
    for (const arch of TINY_ARCHS) {
      it(`${arch} from ${dtype} weights: logits and every hook within ${TOL}`, async () => {
        // Gemma 4 with 6 layers: both layer types and two KV-shared layers.
        const layers = arch === "gemma4" ? 6 : undefined;
        const ck = loadCheckpoint(tinyDir(arch, { dtype, layers }));
        const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
        try {
          const ort = await model.runWithCache(TOKENS);
          const ref = referenceForward(ck, TOKENS, { hooks: "all" });
          const rows: string[] = [];
          const logitsDiff = maxAbsDiff(ort.logits.data, ref.logits);
          rows.push(`logits ${logitsDiff.toExponential(2)}`);
          expect(ort.logits.shape).toEqual([TOKENS.length, ck.config.vocabSize]);
          expect(logitsDiff).toBeLessThan(TOL);
          const names = allHookNames(hookShape(ck.config));
          expect([...ort.cache.keys()]).toEqual(names);
          for (const name of names) {
            const diff = maxAbsDiff(ort.cache.get(name)!.data, ref.cache.get(name)!);
            rows.push(`${name} ${diff.toExponential(2)}`);
            expect(diff, name).toBeLessThan(TOL);
          }
          console.log(`[${arch}/${dtype}] max|diff|: ${rows.join(", ")}`);
        } finally {
          await model.close();
        }
      });
    }
  }

  it("weights passed as in-memory external data give the same forward (the >2 GB path)", async () => {
    const ck = loadCheckpoint(tinyDir("llama"));
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1, externalAbove: 0 });
    try {
      const ref = referenceForward(ck, TOKENS);
      expect(
        maxAbsDiff((await model.runWithCache(TOKENS, [])).logits.data, ref.logits),
      ).toBeLessThan(TOL);
    } finally {
      await model.close();
    }
  });

  it("hook_z has shape [pos, n_heads, d_head] and resid_post(l) feeds resid_pre(l+1)", async () => {
    const ck = loadCheckpoint(tinyDir("qwen3"));
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      const { cache } = await model.runWithCache(TOKENS, [
        "blocks.0.attn.hook_z",
        "blocks.0.hook_resid_post",
        "blocks.1.hook_resid_pre",
      ]);
      const c = ck.config;
      expect(cache.get("blocks.0.attn.hook_z")!.shape).toEqual([
        TOKENS.length,
        c.nHeads,
        c.headDim,
      ]);
      expect(cache.get("blocks.1.hook_resid_pre")!.data).toEqual(
        cache.get("blocks.0.hook_resid_post")!.data,
      );
    } finally {
      await model.close();
    }
  });
});
