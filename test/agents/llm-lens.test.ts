// LLM policies against `seige lens serve` on a tiny random model made by the test:
// real HTTP, real generation. A random model's text is rarely a valid action, so
// what this checks is the plumbing: every step is one chat call, each reply is
// either parsed or counted as malformed and replaced, the episode completes, and
// seeded sampling makes two runs of the same seed identical (requests and actions).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fallbacks, type LlmPolicy, llmPolicy } from "../../src/agents/index.js";
import type { Action } from "../../src/arena/schema.js";
import { SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import { startTinyLensServer, type TinyLensServer } from "../helpers/lens-serve.js";

let lens: TinyLensServer;
beforeAll(async () => {
  lens = await startTinyLensServer({ maxPositions: 16384 });
}, 120_000);
afterAll(async () => {
  await lens?.stop();
});

async function play(spec: string, seed: number) {
  const env = new SeigeEnv(await createTarget());
  const red = llmPolicy("red", spec);
  red.reset(seed);
  const actions: Action[] = [];
  let r = await env.reset({
    seed,
    stage: 1,
    max_ticks: 2,
    role: "red",
    opponent: "scripted:probe-threshold",
  });
  while (!r.done) {
    const a = await red.act(r.observation.red!);
    actions.push(a);
    r = await env.step(a);
  }
  return { actions, stats: (red as LlmPolicy).stats, summary: env.summary()! };
}

describe("LLM policy against seige lens serve (tiny model)", () => {
  it("plays a full episode in JSON mode, every call accounted for, and is reproducible by seed", async () => {
    const spec = `llm:${lens.url}#${lens.modelId}?tools=0&max_tokens=24&temperature=1`;
    const a = await play(spec, 5);
    expect(a.actions).toHaveLength(2);
    expect(a.stats.calls).toBe(2);
    expect(a.stats.endpoint_errors).toBe(0);
    expect(a.stats.completion_tokens).toBeGreaterThan(0);
    expect(a.stats.tool_calls + a.stats.json_replies + fallbacks(a.stats)).toBe(2);
    expect(a.summary.ticks).toBe(2);
    const b = await play(spec, 5);
    expect(b.actions).toEqual(a.actions);
    expect(b.stats.completion_tokens).toBe(a.stats.completion_tokens);
  }, 120_000);

  it("offers tools to the endpoint in tool mode and still completes the episode", async () => {
    const spec = `llm:${lens.url}#${lens.modelId}?max_tokens=16`;
    const a = await play(spec, 6);
    expect(a.stats.calls).toBe(2);
    expect(a.stats.endpoint_errors).toBe(0);
    expect(a.stats.last_problem ?? "").not.toMatch(/endpoint/);
  }, 120_000);
});

describe("llm opponent served by seige lens serve (tiny model)", () => {
  it("plays the other role inside the env, identically for identical seeds and client actions", async () => {
    const opponent = `llm:${lens.url}#${lens.modelId}?tools=0&max_tokens=16&temperature=1`;
    const config = { replayDir: ".", llmAllowlist: [new URL(lens.url).origin] };
    const once = async (seed: number) => {
      const env = new SeigeEnv(await createTarget(), {}, config);
      const seen: string[] = [];
      env.setHooks({ onTransition: (t) => seen.push(JSON.stringify(t)) });
      let r = await env.reset({ seed, stage: 1, max_ticks: 2, role: "blue", opponent });
      while (!r.done) r = await env.step({ agent_type: "blue", action_type: "monitor" });
      return seen;
    };
    const a = await once(7);
    expect(a.filter((t) => JSON.parse(t).by === "opponent")).toHaveLength(2);
    expect(await once(7)).toEqual(a);
  }, 120_000);
});
