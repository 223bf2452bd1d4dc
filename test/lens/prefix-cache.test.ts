// The shared-prefix KV cache and chunked prefill give what a run from scratch gives:
// the same greedy tokens, last-token captures within 1e-5, on a second "tick" whose
// prompts extend the first tick's prompts and replies, for clean and steered prompts
// and a KV-shared architecture; entries under one intervention list never serve another.
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import type { InterventionInput } from "../../src/lens/interventions.js";
import { fromTensors, type LensModel } from "../../src/lens/model.js";
import { prefillGroups } from "../../src/lens/runtime/generate.js";
import { compilePlan } from "../../src/lens/runtime/plan.js";
import { PrefixCache, prefixSignature } from "../../src/lens/runtime/prefix-cache.js";
import type { TinyArch } from "../../src/lens/tiny.js";
import { Rng } from "../../src/util/rng.js";
import { maxAbsDiff, removeFixtures, tinyDir } from "./ort-fixtures.js";

afterAll(removeFixtures);
const models: LensModel[] = [];
afterAll(async () => {
  for (const m of models) await m.close();
});

async function open(arch: TinyArch, layers?: number) {
  const ck = loadCheckpoint(
    tinyDir(arch, arch === "gemma4" ? { layers: 6 } : layers ? { layers } : {}),
  );
  const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
  models.push(model);
  return model;
}

/** An `add` at `hook` on every position, along a seeded random vector of width `d`. */
const steerAt = (hook: string, d: number, seed = "steer", scale = 1): InterventionInput => {
  const rng = new Rng(seed);
  return {
    kind: "add",
    hook,
    vector: Array.from({ length: d }, () => rng.normal() * 0.5),
    scale,
    positions: "all",
  };
};

const ids = (seed: string, n: number, vocab: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => 3 + rng.int(vocab - 3));
};

describe("prefix cache", () => {
  for (const arch of ["qwen2", "gemma4"] as const) {
    it(`${arch}: two ticks with the cache give the tokens and captures of runs without it`, async () => {
      const model = await open(arch);
      const v = model.config.vocabSize;
      const d = model.config.dModel;
      const system = ids("system", 40, v);
      const steer = steerAt("blocks.0.hook_resid_post", d);
      const capture: InterventionInput = {
        kind: "capture",
        hook: "blocks.1.hook_resid_post",
        reduce: "last",
      };
      const ivs = [[capture], [steer, capture], [capture]];
      let prompts = [0, 1, 2].map((s) => [...system, ...ids(`turn0/${s}`, 5 + 3 * s, v)]);
      const cache = new PrefixCache();
      for (let tick = 0; tick < 2; tick++) {
        const opts = { interventions: ivs, maxNewTokens: 6, temperature: 0, prefillChunk: 7 };
        const cold = await model.generate(prompts, { ...opts, prefillChunk: undefined });
        const warm = await model.generate(prompts, { ...opts, prefixCache: cache });
        warm.forEach((w, s) => {
          expect(w.tokens, `tick ${tick} row ${s}`).toEqual(cold[s].tokens);
          expect(maxAbsDiff(w.captures[0].value, cold[s].captures[0].value)).toBeLessThan(1e-5);
        });
        // The next tick's prompt: this prompt, its reply, a new turn.
        prompts = prompts.map((p, s) => [...p, ...warm[s].tokens, ...ids(`turn1/${s}`, 4, v)]);
      }
      // Tick 0 ran the shared system prompt once; tick 1 reran only replies' tails and new turns.
      const { reusedTokens, prefilledTokens } = cache.stats;
      expect(reusedTokens).toBeGreaterThan(prefilledTokens);
    });
  }

  it("rows that finish early leave the decode batch: the same tokens and captures as alone, and their KV is still stored", async () => {
    const model = await open("qwen2");
    const v = model.config.vocabSize;
    const d = model.config.dModel;
    const steer = steerAt("blocks.0.hook_resid_post", d);
    const all: InterventionInput = {
      kind: "capture",
      hook: "blocks.1.hook_resid_mid",
      reduce: "all",
    };
    const ivs = [
      [],
      [steer, all],
      [all],
      [{ kind: "head_mask", layer: 0, heads: [1] }],
    ] as InterventionInput[][];
    const prompts = [0, 1, 2, 3].map((s) => ids(`early/${s}`, 6 + 2 * s, v));
    const opts = { maxNewTokens: 10, temperature: 0 };
    // A stop token that ends row 0 after two tokens while the other rows run on.
    const free = await model.generate(prompts, { ...opts, interventions: ivs, stop: [] });
    const stop = free[0].tokens[2];
    const alone = await Promise.all(
      prompts.map((p, s) =>
        model.generate([p], { ...opts, interventions: [ivs[s]], stop: [stop] }).then((r) => r[0]),
      ),
    );
    expect(alone[0].tokens).toHaveLength(free[0].tokens.indexOf(stop));
    const lengths = alone.map((a) => a.tokens.length);
    expect(Math.max(...lengths)).toBeGreaterThan(Math.min(...lengths) + 2);
    const cache = new PrefixCache();
    const batch = await model.generate(prompts, {
      ...opts,
      interventions: ivs,
      stop: [stop],
      prefixCache: cache,
    });
    batch.forEach((b, s) => {
      expect(b.tokens, `row ${s}`).toEqual(alone[s].tokens);
      expect(b.finishReason, `row ${s}`).toBe(alone[s].finishReason);
      for (const [i, c] of b.captures.entries())
        expect(maxAbsDiff(c.value, alone[s].captures[i].value)).toBeLessThan(1e-5);
    });
    // Every row's prompt and fed reply was stored, the early ones' included: a next turn
    // reuses all of it and gives the uncached tokens.
    const next = prompts.map((p, s) => [...p, ...batch[s].tokens, ...ids(`next/${s}`, 3, v)]);
    const plain = [0, 3].map((s) => next[s]);
    const reused = cache.stats.reusedTokens;
    const warm = await model.generate(plain, {
      ...opts,
      interventions: [[], ivs[3]],
      prefixCache: cache,
    });
    const cold = await model.generate(plain, { ...opts, interventions: [[], ivs[3]] });
    expect(warm.map((w) => w.tokens)).toEqual(cold.map((c) => c.tokens));
    // What was fed: the prompt and the reply, less a last token sampled at the length limit.
    const fed = (s: number) =>
      prompts[s].length + batch[s].tokens.length - (batch[s].finishReason === "length" ? 1 : 0);
    expect(cache.stats.reusedTokens - reused).toBe(fed(0) + fed(3));
  });

  // The steered Red's case: its session's history comes back each tick under another
  // steer. Below both steers' first edited block the previous tick's entry is reused,
  // the blocks above are run again from the stream it kept. `rebuilt`: the fewest prompt
  // tokens rebuilt at tick 1 (the steered row's 70-token tick-0 prompt, or, where the
  // tick-0 steer edited block 0, the 40-token system prompt from the plain row's entry).
  const changes = [
    {
      arch: "qwen2",
      ticks: ["blocks.1.hook_resid_post", "blocks.0.hook_resid_post"],
      rebuilt: 70,
    },
    {
      arch: "qwen2",
      ticks: ["blocks.0.hook_resid_post", "blocks.1.hook_resid_pre"],
      rebuilt: 70,
    },
    { arch: "qwen2", ticks: ["head_mask", "last.hook_resid_post"], rebuilt: 70 },
    { arch: "qwen2", ticks: ["last.hook_resid_post", "last.hook_resid_post/2"], rebuilt: 70 },
    { arch: "qwen2", ticks: ["hook_embed", "blocks.0.hook_resid_post"], rebuilt: 40 },
    {
      arch: "qwen2",
      layers: 4,
      ticks: ["blocks.2.hook_resid_post", "blocks.1.hook_resid_post"],
      rebuilt: 70,
    },
    {
      arch: "qwen2",
      layers: 4,
      ticks: ["blocks.1.hook_resid_post", "blocks.3.hook_resid_pre"],
      rebuilt: 70,
    },
    { arch: "gpt2", ticks: ["blocks.0.hook_resid_post", "blocks.1.hook_resid_mid"], rebuilt: 70 },
    // Approved steering in benign traffic: a session's plain history comes back steered,
    // and a steered one comes back plain. Plain entries keep their stream too.
    { arch: "qwen2", layers: 4, ticks: ["none", "blocks.1.hook_resid_post"], rebuilt: 70 },
    { arch: "qwen2", layers: 4, ticks: ["blocks.2.hook_resid_post", "none"], rebuilt: 70 },
    {
      arch: "gemma4",
      ticks: ["blocks.1.hook_resid_post", "blocks.0.hook_resid_post"],
      rebuilt: 0,
    },
  ] as const;
  for (const change of changes) {
    const { arch, ticks, rebuilt } = change;
    const layers = "layers" in change ? change.layers : undefined;
    it(`${arch}${layers ? ` (${layers} blocks)` : ""}: a steer that moves from ${ticks[0]} to ${ticks[1]} gives the uncached tokens and captures`, async () => {
      const model = await open(arch, layers);
      const { vocabSize: v, dModel: d, nLayers } = model.config;
      const edit = (at: string, tick: number): InterventionInput[] => {
        if (at === "none") return [];
        if (at === "head_mask") return [{ kind: "head_mask", layer: 1, heads: [0, 2] }];
        const [hook, scale] = at.replace("last.", `blocks.${nLayers - 1}.`).split("/");
        return [steerAt(hook, d, `steer/${tick}`, Number(scale ?? 1))];
      };
      const capture: InterventionInput = {
        kind: "capture",
        hook: "blocks.1.hook_resid_post",
        reduce: "last",
      };
      const system = ids("system", 40, v);
      let prompts = [0, 1].map((s) => [...system, ...ids(`turn0/${s}`, 30 + 4 * s, v)]);
      const cache = new PrefixCache();
      for (let tick = 0; tick < 2; tick++) {
        const ivs = [[capture], [...edit(ticks[tick], tick), capture]];
        const opts = { interventions: ivs, maxNewTokens: 6, temperature: 0 };
        const cold = await model.generate(prompts, opts);
        const warm = await model.generate(prompts, { ...opts, prefixCache: cache });
        warm.forEach((w, s) => {
          expect(w.tokens, `tick ${tick} row ${s}`).toEqual(cold[s].tokens);
          expect(maxAbsDiff(w.captures[0].value, cold[s].captures[0].value)).toBeLessThan(1e-5);
        });
        prompts = prompts.map((p, s) => [...p, ...warm[s].tokens, ...ids(`turn1/${s}`, 4, v)]);
      }
      if (rebuilt > 0) expect(cache.stats.rebuiltTokens).toBeGreaterThanOrEqual(rebuilt);
      else expect(cache.stats.rebuiltTokens).toBe(0);
    });
  }

  it("keeps an edited entry's stream only while it is at most an eighth of the budget", () => {
    // 4 bytes × tokens × width × (blocks − 1): the organism's 1,600 tokens fit the default
    // 128 MiB; a 0.5B model's 1,000 tokens × 896 × 23 blocks do not, and run as before.
    expect(new PrefixCache().keepsStream(1600, 128, 4)).toBe(true);
    expect(new PrefixCache().keepsStream(1000, 896, 24)).toBe(false);
    expect(new PrefixCache(8 * 4 * 100 * 64).keepsStream(100, 64, 2)).toBe(true);
    expect(new PrefixCache(8 * 4 * 100 * 64).keepsStream(101, 64, 2)).toBe(false);
  });

  it("an entry stored under one intervention list never serves another", async () => {
    const model = await open("qwen2");
    const v = model.config.vocabSize;
    const prompt = ids("p", 30, v);
    const steer: InterventionInput = {
      kind: "add",
      hook: "blocks.0.hook_resid_post",
      vector: Array.from({ length: model.config.dModel }, () => 2),
      positions: "all",
    };
    const cache = new PrefixCache();
    await model.generate([prompt], {
      interventions: [[steer]],
      maxNewTokens: 1,
      prefixCache: cache,
    });
    const before = cache.stats.reusedTokens;
    const cold = await model.generate([[...prompt, 5, 6]], { maxNewTokens: 4, temperature: 0 });
    const warm = await model.generate([[...prompt, 5, 6]], {
      maxNewTokens: 4,
      temperature: 0,
      prefixCache: cache,
    });
    expect(cache.stats.reusedTokens).toBe(before);
    expect(warm[0].tokens).toEqual(cold[0].tokens);
    const plan = (list: InterventionInput[]) => compilePlan(list, model.config);
    expect(prefixSignature(plan([steer]))).not.toBe(prefixSignature(plan([])));
    expect(
      prefixSignature(
        plan([{ kind: "capture", hook: "blocks.0.hook_resid_post", reduce: "mean" }]),
      ),
    ).toBeNull();
  });

  it("stays within its byte budget, dropping the least recently used entry", async () => {
    const model = await open("qwen2");
    const v = model.config.vocabSize;
    // An entry's size under a budget this small (too small to keep a residual stream).
    const entryBytes = async (budget: number) => {
      const one = new PrefixCache(budget);
      await model.generate([ids("a", 20, v)], { maxNewTokens: 1, prefixCache: one });
      return one.bytes;
    };
    const withStream = await entryBytes(128 * 2 ** 20);
    const bytes = await entryBytes(Math.floor(withStream * 2.5));
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(withStream);
    const small = new PrefixCache(Math.floor(bytes * 2.5));
    for (const seed of ["a", "b", "c"])
      await model.generate([ids(seed, 20, v)], { maxNewTokens: 1, prefixCache: small });
    expect(small.size).toBe(2);
    expect(small.bytes).toBeLessThanOrEqual(small.maxBytes);
    // "a" was dropped: running it again reuses nothing.
    const reused = small.stats.reusedTokens;
    await model.generate([[...ids("a", 20, v), 4]], { maxNewTokens: 1, prefixCache: small });
    expect(small.stats.reusedTokens).toBe(reused);
    await model.generate([[...ids("c", 20, v), 4]], { maxNewTokens: 1, prefixCache: small });
    expect(small.stats.reusedTokens).toBe(reused + 20);
  });
});

describe("prefill groups", () => {
  it("keeps rows of similar length together and a long row apart", () => {
    expect(prefillGroups([10, 12, 900, 11])).toEqual([[2], [0, 1, 3]]);
    expect(prefillGroups([100, 90, 80])).toEqual([[0, 1, 2]]);
    expect(prefillGroups([5])).toEqual([[0]]);
  });
});
