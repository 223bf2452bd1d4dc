// Reply parsing for LLM policies: function calls and JSON objects (bare, fenced,
// with braces inside strings, as a whole action) become well-formed actions;
// everything else is classified as one malformed kind, never guessed.
import { describe, expect, it } from "vitest";
import { extractJsonObject, legalTools, parseReply, parseText } from "../../src/agents/index.js";
import type { BlueView, RedView } from "../../src/arena/schema.js";
import { SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";

async function redView(stage: 1 | 2 | 3): Promise<RedView> {
  const env = new SeigeEnv(await createTarget());
  return (await env.reset({ seed: 1, stage })).observation.red!;
}

const call = (name: string, args: string) => ({
  content: null,
  toolCalls: [{ id: "c", type: "function" as const, function: { name, arguments: args } }],
});

describe("reply parsing", () => {
  it("finds the first JSON object, skipping braces inside strings and bad candidates", () => {
    expect(extractJsonObject('x {"a": "}{", "b": {"c": 1}} y')).toEqual({
      value: { a: "}{", b: { c: 1 } },
    });
    expect(extractJsonObject('{broken} then {"ok": true}')).toEqual({ value: { ok: true } });
    expect(extractJsonObject("no braces")).toEqual({ error: "no_action" });
    expect(extractJsonObject("{never closed")).toEqual({ error: "invalid_json" });
  });

  it("accepts a whole action, with or without agent_type, and drops fields the tool fixes", async () => {
    const tools = legalTools("red", await redView(1));
    expect(
      parseText("red", tools, '```json\n{"strategy": "indirect_injection", "payload": "p"}\n```'),
    ).toEqual({
      ok: true,
      via: "json",
      action: { agent_type: "red", strategy: "indirect_injection", payload: "p" },
    });
    const r = parseReply(
      "red",
      tools,
      call("persona_manipulation", '{"agent_type": "red", "strategy": "x", "payload": "q"}'),
    );
    expect(r).toMatchObject({ ok: true, via: "tool_call", action: { payload: "q" } });
    expect(
      parseText("red", tools, '{"agent_type": "blue", "action_type": "monitor"}'),
    ).toMatchObject({ ok: false, kind: "unknown_tool" });
  });

  it("refuses a tool that is not legal for the role now (stage-1 Red cannot steer)", async () => {
    const stage1 = legalTools("red", await redView(1));
    const stage2 = legalTools("red", await redView(2));
    const steer = call("steering_vector", '{"payload": "p", "magnitude": 2}');
    expect(parseReply("red", stage1, steer)).toMatchObject({ ok: false, kind: "unknown_tool" });
    expect(parseReply("red", stage2, steer)).toMatchObject({ ok: true });
    expect(parseReply("red", stage2, call("observe", "{}"))).toMatchObject({
      ok: false,
      kind: "unknown_tool",
    });
  });

  it("classifies bad arguments and non-JSON arguments", async () => {
    const tools = legalTools("red", await redView(1));
    expect(parseReply("red", tools, call("persona_manipulation", "{}"))).toMatchObject({
      ok: false,
      kind: "invalid_arguments",
      message: expect.stringMatching(/payload/),
    });
    expect(parseReply("red", tools, call("persona_manipulation", "payload=hi"))).toMatchObject({
      ok: false,
      kind: "invalid_json",
    });
    expect(
      parseReply("red", tools, call("persona_manipulation", '{"payload": "x", "extra": 1}')),
    ).toMatchObject({ ok: false, kind: "invalid_arguments" });
  });

  it("offers Blue no probe or patch on a black-box episode", async () => {
    const env = new SeigeEnv(await createTarget());
    await env.reset({ seed: 1, stage: 2, black_box: true });
    const r = await env.step({
      agent_type: "red",
      strategy: "persona_manipulation",
      payload: "hi",
    });
    const names = legalTools("blue", r.observation.blue as BlueView).map((t) => t.name);
    expect(names).toEqual(["monitor", "defer", "flag", "block", "explain"]);
  });
});
