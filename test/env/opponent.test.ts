import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import type { Action } from "../../src/arena/schema.js";
import { SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";

describe("built-in opponents", () => {
  for (const role of ["red", "blue"] as const) {
    it(`as ${role} against a scripted opponent, every observation is the client's and rewards add up to the return`, async () => {
      const env = new SeigeEnv(await createTarget());
      const me = resolvePolicy(role, role === "red" ? "steer" : "probe-threshold");
      me.reset(11);
      const other = role === "red" ? "scripted:probe-threshold" : "scripted:steer";
      let result = await env.reset({ seed: 11, stage: 2, role, opponent: other });
      let total = result.reward;
      let steps = 0;
      while (!result.done) {
        expect(result.observation.current_agent).toBe(role);
        expect(result.observation[role]).toBeDefined();
        expect(result.observation[role === "red" ? "blue" : "red"]).toBeUndefined();
        const view = result.observation[role]!;
        // biome-ignore lint/suspicious/noExplicitAny: view matches the policy's role
        const action = (await me.act(view as any)) as Action;
        result = await env.step(action);
        total += result.reward;
        steps++;
      }
      expect(steps).toBeGreaterThan(0);
      expect(result.observation.current_agent).toBe(role);
      const summary = env.summary()!;
      expect(total).toBeCloseTo(summary.returns[role].total, 6);
    });
  }

  it("the same seed gives the same opponent actions", async () => {
    const run = async () => {
      const env = new SeigeEnv(await createTarget());
      const seen: string[] = [];
      env.setHooks({ onTransition: (t) => seen.push(JSON.stringify(t)) });
      let r = await env.reset({ seed: 5, stage: 3, role: "blue", opponent: "scripted:random" });
      while (!r.done) r = await env.step({ agent_type: "blue", action_type: "monitor" });
      return seen.join("\n");
    };
    expect(await run()).toBe(await run());
  });

  it("an action for the opponent's role is the client's invalid action, charged to the client", async () => {
    const env = new SeigeEnv(await createTarget());
    await env.reset({ seed: 3, stage: 1, role: "blue", opponent: "scripted:text" });
    const wrong: Action = { agent_type: "red", strategy: "persona_manipulation", payload: "hi" };
    const r = await env.step(wrong);
    expect(r.observation.current_agent).toBe("blue");
    expect(r.observation.error).toMatch(/turn/);
    expect(r.observation.rewards.invalid).toBe(-3);
    // After five, the client's turns are its no-op (GAME.md I5): the episode plays
    // out to its real end, charged to the client, not the opponent.
    let last = r;
    for (let i = 0; i < 4; i++) last = await env.step(wrong);
    expect(last.done).toBe(true);
    expect(["max_ticks", "red_leak"]).toContain(last.observation.terminal_reason);
    expect(last.observation.summary!.returns.blue.components.invalid).toBe(-15);
    expect(last.observation.summary!.returns.red.components.invalid).toBeUndefined();
  });

  it("rejects unknown opponents and role without opponent, changing nothing", async () => {
    const env = new SeigeEnv(await createTarget());
    await expect(env.reset({ opponent: "scripted:nobody" })).rejects.toThrow(
      /unknown blue opponent 'scripted:nobody'; choose one of: scripted:allow-all/,
    );
    await expect(env.reset({ opponent: "http://evil" })).rejects.toThrow(/unknown opponent/);
    await expect(env.reset({ role: "blue" })).rejects.toThrow(/needs an opponent/);
    await expect(env.step({ agent_type: "blue", action_type: "monitor" })).rejects.toThrow(
      /call reset first/,
    );
  });
});
