import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LensTarget } from "../../src/target/lens/index.js";
import { requestTokens } from "../../src/target/lens/prompt.js";
import { prefixLogProb, searchSuffix, withSuffix } from "../../src/target/lens/suffix.js";
import {
  type LensFixture,
  makeLensFixture,
  SUFFIX_REQUEST,
  suffixSpec,
  TARGET_PREFIX,
} from "./lens-fixtures.js";

let fx: LensFixture;
beforeAll(async () => {
  fx = await makeLensFixture("llama");
}, 60_000);
afterAll(async () => fx?.cleanup());

const request = SUFFIX_REQUEST;
const PREFIX = TARGET_PREFIX;

/**
 * Counts the search's scored candidates: tails over the shared prompt, and whole forward
 * passes (a candidate whose ids do not continue that prompt runs whole).
 */
function countScores(model: LensFixture["model"]) {
  const counts = { tails: 0, whole: 0 };
  const shared = model.sharedPrefix.bind(model);
  const a = vi.spyOn(model, "sharedPrefix").mockImplementation(async (tokens, ivs) => {
    const scorer = await shared(tokens, ivs);
    return {
      tails: (seqs, k) => {
        counts.tails += seqs.length;
        return scorer.tails(seqs, k);
      },
    };
  });
  const b = vi.spyOn(model, "runWithHooks");
  return {
    counts,
    total: () => counts.tails + b.mock.calls.length,
    whole: () => b.mock.calls.length,
    restore: () => {
      a.mockRestore();
      b.mockRestore();
    },
  };
}

function search(budget: number, seed = 5) {
  return searchSuffix(suffixSpec(fx.model, 6), request, { budget, seed, targetPrefix: PREFIX });
}

describe("lens adversarial suffix search", () => {
  it("is deterministic by seed and spends exactly its budget of forward passes", async () => {
    const spy = countScores(fx.model);
    const a = await search(10);
    expect(spy.total()).toBe(10);
    // Every candidate continued the prompt up to the suffix: none ran whole.
    expect(spy.whole()).toBe(0);
    spy.restore();
    const b = await search(10);
    expect(b).toEqual(a);
    const other = await search(10, 6);
    expect(other.suffix).not.toBe(a.suffix);
  });

  it("where the suffix's place cannot be found, runs every candidate whole, to the same result", async () => {
    const shared = await search(8);
    const tok = fx.model.tokenizer!;
    const encode = tok.encode.bind(tok);
    // A tokenizer that never renders the marker as it encodes it alone.
    const hide = vi
      .spyOn(tok, "encode")
      .mockImplementation((text, opts) => (text === " qzxv" ? [-1] : encode(text, opts)));
    const spy = countScores(fx.model);
    try {
      const whole = await search(8);
      expect(spy.whole()).toBe(8);
      expect(spy.counts.tails).toBe(0);
      expect(whole.suffix).toBe(shared.suffix);
      expect(whole.logProb).toBeCloseTo(shared.logProb, 4);
    } finally {
      spy.restore();
      hide.mockRestore();
    }
  });

  it("a larger budget never ends worse, and the search climbs above its random start", async () => {
    const start = await search(1);
    const short = await search(8);
    const long = await search(40);
    expect(short.logProb).toBeGreaterThanOrEqual(start.logProb);
    expect(long.logProb).toBeGreaterThanOrEqual(short.logProb);
    expect(long.logProb).toBeGreaterThan(start.logProb);
  });

  it("reports log p(prefix) of exactly the text the arena sends (payload + space + suffix)", async () => {
    const r = await search(6);
    const tok = fx.model.tokenizer!;
    const prompt = requestTokens(tok, withSuffix(request, r.suffix).messages, 4096);
    const prefix = tok.encode(PREFIX, { addSpecialTokens: false });
    const res = await fx.model.runWithHooks([...prompt, ...prefix], []);
    const lp = prefixLogProb(res.logits.data, fx.model.config.vocabSize, prompt.length, prefix);
    expect(lp).toBeCloseTo(r.logProb, 4);
    expect(lp).toBeLessThan(0);
    expect(r.suffix).toMatch(/^[\x20-\x7e]+$/);
  });

  it("prefixLogProb sums log-softmax at the positions that predict each prefix token", () => {
    const vocab = 3;
    // rows: position 0 (unused), position 1 predicts prefix[0], position 2 predicts prefix[1]
    const logits = Float32Array.from([9, 9, 9, 0, Math.log(3), 0, Math.log(2), 0, 0]);
    const lp = prefixLogProb(logits, vocab, 2, [1, 0]);
    expect(lp).toBeCloseTo(Math.log(3 / 5) + Math.log(2 / 4), 6);
  });

  it("LensTarget caches a search per (task, payload, options) and rejects a bad budget or prefix", async () => {
    const target = new LensTarget(fx.model, fx.kit, { suffixLength: 4 });
    const spy = countScores(fx.model);
    const opts = { budget: 5, seed: 1, targetPrefix: PREFIX };
    const first = await target.adversarialSuffix(request, opts);
    expect(spy.total()).toBe(5);
    expect(await target.adversarialSuffix({ ...request, id: "again", seed: 9 }, opts)).toBe(first);
    expect(spy.total()).toBe(5);
    const otherTask = {
      ...request,
      messages: [{ role: "system" as const, content: "Another task." }, request.messages[1]],
    };
    await target.adversarialSuffix(otherTask, opts);
    expect(spy.total()).toBe(10);
    spy.restore();
    await expect(target.adversarialSuffix(request, { ...opts, budget: 0 })).rejects.toMatchObject({
      code: "validation_error",
    });
    await expect(
      target.adversarialSuffix(request, { ...opts, targetPrefix: " " }),
    ).rejects.toMatchObject({ code: "validation_error" });
  });
});
