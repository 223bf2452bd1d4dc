// Block quantisation (int8 / int4, ORT MatMulNBits, block 32, accuracy level 4):
// the packing round-trips, ORT computes with exactly the packed weights (its
// logits are much closer to the reference forward run on the dequantised weights
// than to f32), the accuracy cost against the f32 reference stays within a stated
// bound on tiny random models, and a memory budget that the f32 weights exceed
// is met by the quantised model, which then runs.
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { fromTensors, loadModel } from "../../src/lens/model.js";
import { dequantizeRows, quantizedView, quantizeRows } from "../../src/lens/quant.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { SeigeError } from "../../src/util/errors.js";
import { Rng } from "../../src/util/rng.js";
import { removeFixtures, tinyDir } from "./ort-fixtures.js";

afterAll(removeFixtures);

const TOKENS = [3, 17, 42, 99, 150, 7, 250, 11, 64, 5, 120];

/** ‖a − b‖ / ‖b‖ over all logits. */
function relRms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe("block quantisation maths", () => {
  it("round-trips within half a step per weight, packs 4-bit codes low nibble first", () => {
    const rng = new Rng("q");
    const n = 3;
    const k = 70; // not a multiple of 32: the last block is padded
    const w = Float32Array.from({ length: n * k }, () => rng.normal());
    for (const bits of [8, 4] as const) {
      const q = quantizeRows(w, n, k, bits);
      expect(q.kBlocks).toBe(3);
      const back = dequantizeRows(q, n, k, bits);
      for (let r = 0; r < n; r++)
        for (let i = 0; i < k; i++) {
          const scale = q.scales[r * 3 + Math.floor(i / 32)];
          expect(Math.abs(back[r * k + i] - w[r * k + i])).toBeLessThanOrEqual(scale / 2 + 1e-6);
        }
    }
    const q4 = quantizeRows(Float32Array.of(7, -7, ...new Array(30).fill(0)), 1, 32, 4);
    expect(q4.scales[0]).toBe(1);
    expect(q4.packed[0]).toBe(15 | (1 << 4)); // 7 → 15 (low nibble), −7 → 1 (high nibble)
    expect(q4.packed[1]).toBe(8 | (8 << 4)); // zeros sit at the zero point 8
  });
});

describe("quantised runtime vs f32", () => {
  // Bounds on ‖Δlogits‖/‖logits‖ against the f32 reference, measured on these tiny random
  // models (docs/lens.md): llama int8 0.016, int4 0.20; gemma4 int8 0.13, int4 0.77
  // (its random q/k-normed, scale-1 attention is far more sensitive). Asserted with headroom.
  const BOUND = { llama: { int8: 0.05, int4: 0.4 }, gemma4: { int8: 0.3, int4: 0.9 } };
  for (const arch of ["llama", "gemma4"] as const) {
    it(`${arch}: int8 and int4 logits within the stated bound; ORT uses exactly the packed weights`, async () => {
      const ck = loadCheckpoint(tinyDir(arch, arch === "gemma4" ? { layers: 6 } : {}));
      const f32 = referenceForward(ck, TOKENS).logits;
      for (const quant of ["int8", "int4"] as const) {
        const model = await fromTensors(ck.config, ck.tensors, { threads: 1, quant });
        try {
          const ort = (await model.runWithCache(TOKENS, [])).logits.data;
          const dequant = referenceForward(
            { config: ck.config, tensors: quantizedView(ck.tensors, quant) },
            TOKENS,
          ).logits;
          const cost = relRms(ort, f32);
          console.log(
            `[${arch}/${quant}] rel. logit error vs f32 ${cost.toFixed(4)}; weights only (reference) ${relRms(dequant, f32).toFixed(4)}; ORT vs dequantised reference ${relRms(ort, dequant).toFixed(4)}`,
          );
          expect(cost).toBeLessThan(BOUND[arch][quant]);
          expect(cost).toBeGreaterThan(0);
          if (quant === "int4") expect(relRms(ort, dequant)).toBeLessThan(relRms(dequant, f32) / 2);
        } finally {
          await model.close();
        }
      }
    });
  }

  it("a model whose f32 weights exceed a memory budget is refused at f32 and loads and runs quantised under it", async () => {
    const dir = tinyDir("gemma4", { layers: 6 });
    const f32 = await loadModel(dir, { threads: 1 });
    const need = f32.residentWeightBytes;
    await f32.close();
    const budget = Math.floor(need / 2);
    await expect(loadModel(dir, { threads: 1, memoryBudget: budget })).rejects.toThrow(
      /memory budget/,
    );
    await expect(loadModel(dir, { threads: 1, memoryBudget: budget })).rejects.toBeInstanceOf(
      SeigeError,
    );
    const q = await loadModel(dir, { threads: 1, memoryBudget: budget, quant: "int4" });
    try {
      expect(q.residentWeightBytes).toBeLessThanOrEqual(budget);
      const [out] = await q.generate([[5, 6, 7]], { maxNewTokens: 4, stop: [] });
      expect(out.tokens).toHaveLength(4);
    } finally {
      await q.close();
    }
  });
});
