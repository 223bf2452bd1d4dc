// Bad reset options are bad input, not server bugs (issue 11, items 3 and 6):
// `replay:.`, `replay:<folder>` and `scripted:` names that exist only on
// Object.prototype are validation errors at `opponent` that name what is
// allowed, and a reset that fails leaves the running episode exactly as it was:
// same role, same turn, same state, the next step continues it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import { SeigeError } from "../../src/util/errors.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "seige-bad-reset-"));
  mkdirSync(join(dir, "folder"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function resetError(env: SeigeEnv, options: object): Promise<SeigeError> {
  try {
    await env.reset(options);
  } catch (e) {
    return e as SeigeError;
  }
  throw new Error(`reset ${JSON.stringify(options)} did not fail`);
}

describe("bad opponents", () => {
  it.each([
    ["scripted:constructor", /choose one of: scripted:allow-all/],
    ["scripted:__proto__", /choose one of: scripted:allow-all/],
    ["scripted:toString", /choose one of: scripted:allow-all/],
    ["scripted:hasOwnProperty", /choose one of: scripted:allow-all/],
    ["replay:.", /not a file; name a \.jsonl recording/],
    ["replay:folder", /not a file; name a \.jsonl recording/],
    ["replay:folder/", /not a file; name a \.jsonl recording/],
    ["replay:missing.jsonl", /was not found in the replay folder/],
    ["replay:../x.jsonl", /relative path to a \.jsonl file/],
  ])("%s is a validation error at `opponent` naming what is allowed", async (spec, message) => {
    const env = new SeigeEnv(
      await createTarget({ backend: "sim" }),
      {},
      {
        replayDir: dir,
        llmAllowlist: [],
      },
    );
    const e = await resetError(env, { seed: 1, role: "red", opponent: spec });
    expect(e).toBeInstanceOf(SeigeError);
    expect(e.code).toBe("validation_error");
    expect(e.details).toEqual({ loc: ["opponent"] });
    expect(e.message).toMatch(message);
  });
});

describe("a failed reset changes nothing", () => {
  it("keeps the running episode's role, turn and state, and the next step continues it", async () => {
    const target = await createTarget({ backend: "sim" });
    const env = new SeigeEnv(target, {}, { replayDir: dir, llmAllowlist: [] });
    const first = await env.reset({ seed: 3, max_ticks: 4 });
    expect(first.observation.current_agent).toBe("red");
    await env.step({ agent_type: "red", strategy: "persona_manipulation", payload: "hi" });
    const before = JSON.stringify(env.state());
    const view = JSON.stringify(env.observe());
    expect(env.role).toBeNull();

    for (const bad of [
      { role: "blue", opponent: "scripted:nobody" },
      { role: "blue", opponent: "scripted:constructor" },
      { role: "red", opponent: "replay:." },
      { role: "blue" },
    ]) {
      await expect(env.reset({ seed: 9, ...bad } as object)).rejects.toThrow(SeigeError);
      expect(env.role).toBeNull();
      expect(JSON.stringify(env.state())).toBe(before);
      expect(JSON.stringify(env.observe())).toBe(view);
    }

    // The same episode goes on: it is Blue's turn, as before the failed resets.
    const next = await env.step({ agent_type: "blue", action_type: "monitor" });
    expect(next.observation.error).toBeNull();

    // And it is the episode a solo run of the same actions gives, byte for byte.
    const solo = new SeigeEnv(target);
    await solo.reset({ seed: 3, max_ticks: 4 });
    await solo.step({ agent_type: "red", strategy: "persona_manipulation", payload: "hi" });
    const soloNext = await solo.step({ agent_type: "blue", action_type: "monitor" });
    expect(JSON.stringify(next)).toBe(JSON.stringify(soloNext));
  });
});
