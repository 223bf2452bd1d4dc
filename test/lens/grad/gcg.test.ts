// GCG on tiny random models: best-so-far loss never rises, budgets and options
// are honoured, early stop fires on success, and on a fixed budget of
// forward-pass equivalents (a gradient costs 1 + BACKWARD_COST) it reaches a
// lower loss than the gradient-free random search on the same seeded problems.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiVocabulary,
  BACKWARD_COST,
  gcg,
  randomSearch,
  smallestK,
} from "../../../src/lens/gcg.js";
import { type LensModel, loadModel } from "../../../src/lens/model.js";
import { Rng } from "../../../src/util/rng.js";
import { removeFixtures, tinyDir } from "../ort-fixtures.js";

let qwen: LensModel;
let llama: LensModel;
beforeAll(async () => {
  qwen = await loadModel(tinyDir("qwen2"), { threads: 1 });
  llama = await loadModel(tinyDir("llama"), { threads: 1 });
});
afterAll(async () => {
  await qwen.close();
  await llama.close();
  removeFixtures();
});

function problem(model: LensModel, seed: number) {
  const rng = new Rng(`gcg-problem/${seed}`);
  const V = model.config.vocabSize;
  const pick = (n: number) => Array.from({ length: n }, () => 3 + rng.int(V - 3));
  return { before: pick(5), suffix: pick(6), after: pick(2), target: pick(3) };
}

describe("gcg", () => {
  it("lowers the loss monotonically (best so far), within the budget, from the ASCII vocabulary", async () => {
    const p = problem(qwen, 1);
    const allowed = new Set(asciiVocabulary(qwen.tokenizer!, qwen.config.vocabSize));
    const r = await gcg(qwen, p, {
      budget: 120,
      searchWidth: 16,
      topK: 8,
      seed: 3,
      earlyStop: false,
    });
    expect(r.stoppedBy).toBe("budget");
    expect(r.cost).toBeLessThanOrEqual(120);
    expect(r.cost).toBe(r.forwardPasses + BACKWARD_COST * r.backwardPasses);
    expect(r.history).toHaveLength(r.steps + 1);
    for (let i = 1; i < r.history.length; i++)
      expect(r.history[i]).toBeLessThanOrEqual(r.history[i - 1]);
    expect(r.loss).toBeLessThan(r.history[0]);
    expect(r.loss).toBe(r.history.at(-1));
    for (const [i, tok] of r.suffix.entries())
      if (tok !== p.suffix[i]) expect(allowed.has(tok)).toBe(true);
    // deterministic by seed
    const again = await gcg(qwen, p, {
      budget: 120,
      searchWidth: 16,
      topK: 8,
      seed: 3,
      earlyStop: false,
    });
    expect(again.suffix).toEqual(r.suffix);
  });

  it("stops early when the target is already the greedy continuation; honours filter, maxSteps and replacements", async () => {
    const p = problem(qwen, 2);
    const prompt = [...p.before, ...p.suffix, ...p.after];
    const [res] = await qwen.generate([prompt], { maxNewTokens: 2 });
    const easy = await gcg(qwen, { ...p, target: res.tokens }, { searchWidth: 8 });
    expect(easy.stoppedBy).toBe("early_stop");
    expect(easy.steps).toBe(0);
    const banned = new Set(asciiVocabulary(qwen.tokenizer!, qwen.config.vocabSize).slice(0, 40));
    const f = await gcg(qwen, p, {
      maxSteps: 3,
      searchWidth: 8,
      replacements: 2,
      earlyStop: false,
      filter: (s) => s.every((t) => !banned.has(t)),
    });
    expect(f.stoppedBy).toBe("steps");
    expect(f.steps).toBe(3);
    for (const [i, t] of f.suffix.entries())
      if (t !== p.suffix[i]) expect(banned.has(t)).toBe(false);
    await expect(gcg(qwen, p, { topK: 0 })).rejects.toThrow(/topK/);
    await expect(gcg(qwen, { ...p, suffix: [] })).rejects.toThrow(/suffix/);
    await expect(gcg(qwen, p, { allowed: [10 ** 7] })).rejects.toThrow(/outside/);
  });

  it("beats the random search on the same forward-pass budget (seeded problems, two architectures)", async () => {
    const rows: string[] = [];
    for (const model of [qwen, llama]) {
      let g = 0;
      let r = 0;
      let wins = 0;
      const seeds = [21, 22, 23, 24, 25];
      for (const seed of seeds) {
        const p = problem(model, seed);
        const a = await gcg(model, p, {
          budget: 200,
          searchWidth: 16,
          topK: 8,
          seed,
          earlyStop: false,
        });
        const b = await randomSearch(model, p, { budget: 200, seed, earlyStop: false });
        expect(a.cost).toBeLessThanOrEqual(200);
        expect(b.cost).toBe(200);
        g += a.loss;
        r += b.loss;
        if (a.loss < b.loss) wins++;
      }
      rows.push(
        `${model.config.arch}: gcg mean ${(g / seeds.length).toFixed(3)}, random ${(r / seeds.length).toFixed(3)}, gcg lower on ${wins}/${seeds.length}`,
      );
      expect(g, rows.join("; ")).toBeLessThan(r);
      expect(wins, rows.join("; ")).toBeGreaterThanOrEqual(3);
    }
    console.log(rows.join("\n"));
  });

  it("smallestK picks the k smallest, ties to the lower id", () => {
    const row = Float32Array.from([5, 1, 3, 1, 0, 9]);
    expect(smallestK(row, [0, 1, 2, 3, 4, 5], 3)).toEqual([4, 1, 3]);
    expect(smallestK(row, [5, 2], 5)).toEqual([2, 5]);
  });
});
