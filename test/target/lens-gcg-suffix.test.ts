// soft_prompt_gcg through real GCG on the lens target: the suffix text it
// returns is scored exactly as optimised (re-rendered as the arena sends it),
// it is deterministic by seed and printable; its log p against the random
// search's on the same budget is printed, not asserted (on this tiny random
// byte-level model the two are close and either can win); the LensTarget
// option switches to it and invalid options still raise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gcgSuffix } from "../../src/target/lens/gcg-suffix.js";
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
  fx = await makeLensFixture("qwen2");
}, 60_000);
afterAll(async () => fx?.cleanup());

const request = SUFFIX_REQUEST;
const PREFIX = TARGET_PREFIX;

const spec = () => suffixSpec(fx.model, 6);

describe("gcg suffix on the lens target", () => {
  it("returns a printable suffix whose reported log p is that of the text the arena sends", async () => {
    const opts = { budget: 60, seed: 3, targetPrefix: PREFIX };
    const r = (await gcgSuffix(spec(), request, opts))!;
    expect(r).not.toBeNull();
    expect(r.suffix).toMatch(/^[\x20-\x7e]+$/);
    const tok = fx.model.tokenizer!;
    const prompt = requestTokens(tok, withSuffix(request, r.suffix).messages, 4096);
    const prefix = tok.encode(PREFIX, { addSpecialTokens: false });
    const res = await fx.model.runWithHooks([...prompt, ...prefix], []);
    const lp = prefixLogProb(res.logits.data, fx.model.config.vocabSize, prompt.length, prefix);
    expect(lp).toBeCloseTo(r.logProb, 3);
    expect((await gcgSuffix(spec(), request, opts))!.suffix).toBe(r.suffix);
    const random = await searchSuffix(spec(), request, opts);
    console.log(
      `budget 60: gcg log p ${r.logProb.toFixed(3)}, random search ${random.logProb.toFixed(3)}`,
    );
  });

  it("LensTarget uses it with suffixSearch: 'gcg', and bad options still raise validation errors", async () => {
    const target = new LensTarget(fx.model, fx.kit, { suffixLength: 4, suffixSearch: "gcg" });
    const s = await target.adversarialSuffix(request, {
      budget: 20,
      seed: 1,
      targetPrefix: PREFIX,
    });
    expect(s.length).toBeGreaterThan(0);
    await expect(
      target.adversarialSuffix(request, { budget: 0, seed: 1, targetPrefix: PREFIX }),
    ).rejects.toMatchObject({ code: "validation_error" });
    await expect(
      target.adversarialSuffix(request, { budget: 5, seed: 1, targetPrefix: " " }),
    ).rejects.toMatchObject({ code: "validation_error" });
  });
});
