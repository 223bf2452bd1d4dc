// LLM policies against a scripted OpenAI-compatible endpoint over real HTTP:
// well-formed tool calls become actions, malformed replies are counted by kind and
// replaced by the safe default, transient failures are retried, timeouts fall
// back without crashing the episode, per-call seeds derive from the episode seed,
// prompts hold only the role's own view, and the per-endpoint concurrency limit holds.
import { afterEach, describe, expect, it } from "vitest";
import { fallbacks, llmPolicy, resolvePolicy } from "../../src/agents/index.js";
import type { BlueView, RedView } from "../../src/arena/schema.js";
import { SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import { type FakeEndpoint, type FakeReply, startFakeEndpoint } from "./fake-openai.js";

let endpoint: FakeEndpoint | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
});

async function views(): Promise<{ red: RedView; blue: BlueView }> {
  const env = new SeigeEnv(await createTarget());
  const r = await env.reset({ seed: 4, stage: 2 });
  const red = r.observation.red!;
  const b = await env.step({ agent_type: "red", strategy: "persona_manipulation", payload: "hi" });
  return { red, blue: b.observation.blue! };
}

const serve = async (reply: (i: number) => FakeReply, opts: { delayMs?: number } = {}) => {
  endpoint = await startFakeEndpoint((_r, i) => reply(i), opts);
  return endpoint;
};

describe("LLM policy on a scripted endpoint", () => {
  it("turns a tool call into the role's action and offers the role's legal tools", async () => {
    const { red } = await views();
    const ep = await serve(() => ({
      kind: "tool",
      name: "steering_vector",
      arguments: {
        payload: "please",
        target_layer: 3,
        direction_label: "compliance",
        magnitude: 2,
      },
    }));
    const p = llmPolicy("red", `llm:${ep.url}#m`);
    p.reset(1);
    const action = await p.act(red);
    expect(action).toEqual({
      agent_type: "red",
      strategy: "steering_vector",
      payload: "please",
      target_layer: 3,
      direction_label: "compliance",
      magnitude: 2,
    });
    expect(p.stats.tool_calls).toBe(1);
    expect(fallbacks(p.stats)).toBe(0);
    const body = ep.requests[0]!.body;
    const names = (body.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(names).toEqual(red.available_strategies);
    expect(body.model).toBe("m");
  });

  it("counts each kind of malformed reply and falls back to the safe default", async () => {
    const { red, blue } = await views();
    const replies: FakeReply[] = [
      { kind: "text", content: "I would rather not." },
      { kind: "tool", name: "flag", arguments: "{not json" },
      { kind: "tool", name: "launch_missiles", arguments: {} },
      { kind: "tool", name: "block", arguments: { session_id: 7 } },
      { kind: "text", content: 'Sure: ```json\n{"tool": "monitor", "arguments": {}}\n```' },
    ];
    const ep = await serve((i) => replies[i]!);
    const p = llmPolicy("blue", `llm:${ep.url}#m`);
    p.reset(1);
    const actions = [];
    for (let i = 0; i < replies.length; i++) actions.push(await p.act(blue));
    expect(actions.slice(0, 4)).toEqual(
      Array(4).fill({ agent_type: "blue", action_type: "monitor" }),
    );
    expect(actions[4]).toEqual({ agent_type: "blue", action_type: "monitor" });
    expect(p.stats.malformed).toEqual({
      no_action: 1,
      invalid_json: 1,
      unknown_tool: 1,
      invalid_arguments: 1,
    });
    expect(p.stats.json_replies).toBe(1);
    expect(fallbacks(p.stats)).toBe(4);
    expect(p.stats.last_problem).toMatch(/invalid_arguments.*session_id/);

    // Red's default is a plain text request in its own session.
    const ep2 = await startFakeEndpoint(() => ({ kind: "text", content: "no" }));
    const r2 = llmPolicy("red", `llm:${ep2.url}#m`);
    r2.reset(1);
    const d = await r2.act(red);
    await ep2.close();
    expect(d).toMatchObject({
      agent_type: "red",
      strategy: "persona_manipulation",
      session_id: red.sessions[0]!.session_id,
    });
    expect(r2.stats.malformed.no_action).toBe(1);
  });

  it("retries a 503 with backoff and gives up on a 400 without retrying", async () => {
    const { blue } = await views();
    const ep = await serve((i) =>
      i === 0 ? { kind: "status", status: 503 } : { kind: "tool", name: "defer", arguments: {} },
    );
    const p = llmPolicy("blue", `llm:${ep.url}#m?retries=2`);
    p.reset(1);
    expect(await p.act(blue)).toEqual({ agent_type: "blue", action_type: "defer" });
    expect(ep.requests).toHaveLength(2);
    expect(p.stats.retries).toBe(1);

    const ep2 = await startFakeEndpoint(() => ({ kind: "status", status: 400 }));
    const q = llmPolicy("blue", `llm:${ep2.url}#m?retries=3`);
    q.reset(1);
    expect(await q.act(blue)).toEqual({ agent_type: "blue", action_type: "monitor" });
    expect(ep2.requests).toHaveLength(1);
    expect(q.stats.endpoint_errors).toBe(1);
    expect(q.stats.last_problem).toMatch(/400/);
    await ep2.close();
  });

  it("a hanging endpoint times out, is retried, and the episode goes on with the default", async () => {
    const ep = await serve(() => ({ kind: "hang" }));
    const env = new SeigeEnv(await createTarget());
    const red = resolvePolicy("red", `llm:${ep.url}#m?timeout_ms=100&retries=1`);
    red.reset(2);
    let r = await env.reset({
      seed: 2,
      stage: 1,
      max_ticks: 2,
      role: "red",
      opponent: "scripted:allow-all",
    });
    let steps = 0;
    while (!r.done) {
      r = await env.step(await red.act(r.observation.red!));
      steps++;
    }
    expect(steps).toBe(2);
    const stats = (red as unknown as { stats: { endpoint_errors: number; last_problem: string } })
      .stats;
    expect(stats.endpoint_errors).toBe(2);
    expect(stats.last_problem).toMatch(/within 100 ms/);
    expect(ep.requests).toHaveLength(4); // two calls, each tried twice
  });

  it("derives each call's seed from the episode seed and the step, and sends the temperature", async () => {
    const { blue } = await views();
    const ep = await serve(() => ({ kind: "tool", name: "monitor", arguments: {} }));
    const seedsOf = async (seed: number) => {
      const p = llmPolicy("blue", `llm:${ep.url}#m?temperature=0.3`);
      p.reset(seed);
      const from = ep.requests.length;
      for (let i = 0; i < 3; i++) await p.act(blue);
      return ep.requests.slice(from).map((r) => r.body.seed);
    };
    const a = await seedsOf(9);
    expect(await seedsOf(9)).toEqual(a);
    expect(new Set(a).size).toBe(3);
    expect(await seedsOf(10)).not.toEqual(a);
    expect(ep.requests[0]!.body.temperature).toBe(0.3);
    for (const s of a) expect(Number.isInteger(s) && (s as number) >= 0).toBe(true);
  });

  it("builds prompts from the role's own view only (Red never sees the protected value)", async () => {
    const { red, blue } = await views();
    const ep = await serve(() => ({ kind: "text", content: "{}" }));
    const r = llmPolicy("red", `llm:${ep.url}#m`);
    const b = llmPolicy("blue", `llm:${ep.url}#m`);
    await r.act(red);
    await b.act(blue);
    const redPrompt = JSON.stringify(ep.requests[0]!.body.messages);
    const bluePrompt = JSON.stringify(ep.requests[1]!.body.messages);
    expect(blue.task.protected_value.length).toBeGreaterThan(0);
    expect(redPrompt).not.toContain(blue.task.protected_value);
    expect(bluePrompt).toContain(blue.task.protected_value);
    expect(redPrompt).toContain(red.task.objective);
  });

  it("in JSON mode sends no tools, lists them in the system prompt, and parses the object", async () => {
    const { red } = await views();
    const ep = await serve(() => ({
      kind: "text",
      content: 'My move: {"tool": "persona_manipulation", "arguments": {"payload": "hello there"}}',
    }));
    const p = llmPolicy("red", `llm:${ep.url}#m?tools=0`);
    p.reset(1);
    expect(await p.act(red)).toMatchObject({
      agent_type: "red",
      strategy: "persona_manipulation",
      payload: "hello there",
    });
    const body = ep.requests[0]!.body;
    expect(body.tools).toBeUndefined();
    const system = (body.messages as { content: string }[])[0]!.content;
    for (const s of red.available_strategies) expect(system).toContain(`- ${s}:`);
    expect(p.stats.json_replies).toBe(1);
  });

  it("keeps at most `concurrency` requests in flight to one endpoint", async () => {
    const { blue } = await views();
    const ep = await serve(() => ({ kind: "tool", name: "monitor", arguments: {} }), {
      delayMs: 40,
    });
    const policies = Array.from({ length: 6 }, () =>
      llmPolicy("blue", `llm:${ep.url}#m?concurrency=2`),
    );
    await Promise.all(policies.map((p) => p.act(blue)));
    expect(ep.requests).toHaveLength(6);
    expect(ep.maxInFlight).toBe(2);
  });

  it("rejects malformed specs with a message that shows the expected form", () => {
    expect(() => resolvePolicy("red", "llm:http://x:1")).toThrow(/#<model>/);
    expect(() => resolvePolicy("red", "llm:ftp://x#m")).toThrow(/http/);
    expect(() => resolvePolicy("red", "llm:http://x:1#m?bogus=1")).toThrow(/unknown option/);
    expect(() => resolvePolicy("red", "llm:http://x:1#m?temperature=hot")).toThrow(/not a number/);
  });
});
