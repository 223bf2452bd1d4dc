import { afterAll, describe, expect, it } from "vitest";
import {
  diffOfMeans,
  lensSource,
  meanDifference,
  pcaOfDiffs,
  promptTokens,
  separationOf,
} from "../../src/directions/index.js";
import { loadModel, residPost } from "../../src/lens/index.js";
import { Rng } from "../../src/util/rng.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const tiny = new TinyDirs();
afterAll(() => tiny.cleanup());

function gaussian(rng: Rng, d: number, scale = 1): Float32Array {
  return Float32Array.from({ length: d }, () => scale * rng.normal());
}

describe("difference of means on a real (tiny) model", () => {
  it("equals a brute-force mean difference of activations captured with runWithCache", async () => {
    const ck = tiny.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 3 });
    const model = await loadModel(ck.dir, { threads: 1 });
    try {
      const pos = [
        "Be very formal about the invoice.",
        "Be very formal about a poem.",
        "Formal reply, please.",
      ];
      const neg = [
        "Be casual about the invoice.",
        "Be casual about a poem.",
        "Casual reply, please.",
      ];
      // Batched, so the pairs' different lengths go through left padding.
      const src = lensSource(model, { batchSize: 4 });
      const acts = await src.activations([...pos, ...neg], [0, 1]);
      for (const [li, layer] of [0, 1].entries()) {
        // Brute force: capture each prompt's last-token resid_post by hand.
        const d = model.config.dModel;
        const lastRow = async (text: string) => {
          const ids = promptTokens(model, text);
          const { cache } = await model.runWithCache(ids, [residPost(layer)]);
          const t = cache.get(residPost(layer))!;
          return Array.from(t.data.slice((t.shape[0] - 1) * d));
        };
        const want = new Float64Array(d);
        for (const t of pos) {
          const row = await lastRow(t);
          for (let i = 0; i < d; i++) want[i] += row[i] / pos.length;
        }
        for (const t of neg) {
          const row = await lastRow(t);
          for (let i = 0; i < d; i++) want[i] -= row[i] / neg.length;
        }
        const got = meanDifference(acts[li].slice(0, 3), acts[li].slice(3));
        for (let i = 0; i < d; i++) expect(got[i]).toBeCloseTo(want[i], 4);
        const dir = diffOfMeans(acts[li].slice(0, 3), acts[li].slice(3));
        const n = Math.hypot(...want);
        expect(dir.rawNorm).toBeCloseTo(n, 4);
        for (let i = 0; i < d; i++) expect(dir.unit[i]).toBeCloseTo(want[i] / n, 4);
      }
    } finally {
      await model.close();
    }
  });

  it("reads the chat-templated prompt, and the mean position averages every token", async () => {
    const ck = tiny.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 3 });
    const model = await loadModel(ck.dir, { threads: 1 });
    try {
      const text = "Hello there, assistant.";
      const ids = promptTokens(model, text);
      expect(ids).toEqual(model.chat([{ role: "user", content: text }]).tokens);
      const [[mean]] = await lensSource(model, { position: "mean" }).activations([text], [1]);
      const { cache } = await model.runWithCache(ids, [residPost(1)]);
      const t = cache.get(residPost(1))!;
      const d = model.config.dModel;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let p = 0; p < t.shape[0]; p++) s += t.data[p * d + i];
        expect(mean[i]).toBeCloseTo(s / t.shape[0], 4);
      }
    } finally {
      await model.close();
    }
  });
});

describe("promptTokens", () => {
  it("places a system message before the user turn, or at its top where the template refuses system turns", async () => {
    for (const arch of ["qwen2", "gemma2"] as const) {
      const ck = tiny.checkpoint(arch, { dModel: 32, layers: 2, seed: 4 });
      const model = await loadModel(ck.dir, { threads: 1 });
      try {
        const ids = promptTokens(model, "Where is my parcel?", {
          system: "You are Northwind's assistant.",
        });
        const text = model.tokenizer!.decode(ids);
        expect(text.indexOf("Northwind")).toBeGreaterThanOrEqual(0);
        expect(text.indexOf("Northwind")).toBeLessThan(text.indexOf("parcel"));
        const raw = promptTokens(model, "Where is my parcel?", { template: "raw" });
        expect(raw).toEqual(
          model.tokenizer!.encode("Where is my parcel?", { addSpecialTokens: true }),
        );
      } finally {
        await model.close();
      }
    }
  });
});

describe("PCA of paired differences", () => {
  it("recovers a planted direction, pointing towards the positives", () => {
    const rng = new Rng("pca");
    const d = 40;
    const u = gaussian(rng, d);
    const un = Math.hypot(...u);
    const uhat = u.map((x) => x / un);
    const pos: Float32Array[] = [];
    const neg: Float32Array[] = [];
    for (let k = 0; k < 30; k++) {
      const base = gaussian(rng, d, 3);
      const a = 2 + rng.next(); // varying strength along u, always positive
      neg.push(base);
      pos.push(Float32Array.from(base, (x, i) => x + a * uhat[i] + 0.05 * rng.normal()));
    }
    const dir = pcaOfDiffs(pos, neg);
    let cos = 0;
    for (let i = 0; i < d; i++) cos += dir.unit[i] * uhat[i];
    expect(cos).toBeGreaterThan(0.99);
    // Swapping the roles flips the sign.
    const flipped = pcaOfDiffs(neg, pos);
    let c2 = 0;
    for (let i = 0; i < d; i++) c2 += flipped.unit[i] * uhat[i];
    expect(c2).toBeLessThan(-0.99);
  });

  it("is the top eigenvector of the uncentered scatter of the differences (brute force)", () => {
    const rng = new Rng("pca-bf");
    const d = 6;
    const pos = Array.from({ length: 12 }, () => gaussian(rng, d));
    const neg = Array.from({ length: 12 }, () => gaussian(rng, d));
    const v = pcaOfDiffs(pos, neg).unit;
    // S = Σ Δ Δᵀ; the top eigenvector maximises vᵀSv over unit vectors: compare against many random ones.
    const diffs = pos.map((p, k) => Array.from(p, (x, i) => x - neg[k][i]));
    const q = (w: ArrayLike<number>) =>
      diffs.reduce((s, dk) => s + dk.reduce((a, x, i) => a + x * w[i], 0) ** 2, 0);
    const best = q(v);
    for (let t = 0; t < 2000; t++) {
      const w = gaussian(rng, d);
      const n = Math.hypot(...w);
      expect(q(w.map((x) => x / n))).toBeLessThanOrEqual(best + 1e-6);
    }
  });
});

describe("separationOf", () => {
  it("reports Cohen's d of the projections and the fraction of correctly ordered pairs", () => {
    const u = [1, 0];
    const pos = [Float32Array.from([3, 9]), Float32Array.from([5, -2]), Float32Array.from([0, 0])];
    const neg = [Float32Array.from([1, 0]), Float32Array.from([2, 1]), Float32Array.from([1, 5])];
    const s = separationOf(u, pos, neg);
    // p = [3, 5, 0], q = [1, 2, 1]; means 8/3 and 4/3; sample variances 19/3 and 1/3
    expect(s.separation).toBeCloseTo((8 / 3 - 4 / 3) / Math.sqrt((19 / 3 + 1 / 3) / 2), 10);
    expect(s.pairAccuracy).toBeCloseTo(2 / 3, 10);
    expect(s.n).toBe(3);
  });
});
