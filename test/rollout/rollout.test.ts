// Rollout files: every line validates against the documented schema, reward
// components sum to the reported return (which is the episode summary's), groups
// share their seed, lines come in seed/group order whatever the concurrency, and
// an LLM policy's call accounting is carried on each line.
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { SeigeEnv } from "../../src/env/index.js";
import {
  memberSeed,
  parseRollouts,
  parseSeeds,
  type RolloutLine,
  RolloutLineSchema,
  rolloutEpisode,
  rolloutJsonSchema,
  runRollouts,
} from "../../src/rollout/index.js";
import { createTarget } from "../../src/target/index.js";
import { startFakeEndpoint } from "../agents/fake-openai.js";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function rollouts(o: Partial<Parameters<typeof runRollouts>[0]> = {}) {
  const text: string[] = [];
  const lines = await runRollouts({
    role: "blue",
    policy: "probe-threshold",
    opponent: "scripted:steer",
    seeds: [3, 4],
    groupSize: 2,
    stage: 2,
    runId: "run-1",
    target: await createTarget(),
    onLine: (l) => {
      text.push(JSON.stringify(l));
    },
    ...o,
  });
  return { lines, text: `${text.join("\n")}\n` };
}

describe("rollout files", () => {
  it("validate against the schema, and components sum to the return", async () => {
    for (const role of ["red", "blue"] as const) {
      const { text } = await rollouts({
        role,
        policy: role === "red" ? "random" : "probe-threshold",
        opponent: role === "red" ? "scripted:probe-threshold" : "scripted:steer",
      });
      const lines = parseRollouts(text);
      expect(lines).toHaveLength(4);
      for (const l of lines) {
        expect(l.role).toBe(role);
        expect(l.steps.length).toBeGreaterThan(0);
        expect(l.initial_reward + sum(l.steps.map((s) => s.reward))).toBeCloseTo(l.return, 5);
        expect(sum(Object.values(l.return_components))).toBeCloseTo(l.return, 5);
        for (const s of l.steps) expect(sum(Object.values(s.rewards))).toBeCloseTo(s.reward, 5);
        expect(l.steps.at(-1)!.observation.done).toBe(true);
        expect(l.steps.every((s, i) => s.t === i && s.action.agent_type === role)).toBe(true);
      }
    }
  });

  it("report the return the episode summary gives the role", async () => {
    const target = await createTarget();
    const env = new SeigeEnv(target);
    const policy = resolvePolicy("red", "steer");
    policy.reset(memberSeed("red", 8, 0));
    const line = await rolloutEpisode(
      env,
      policy,
      {
        role: "red",
        policy: "steer",
        opponent: "scripted:probe-threshold",
        stage: 2,
        runId: "r",
        target,
      },
      8,
      0,
    );
    const summary = env.summary()!;
    expect(line.return).toBeCloseTo(summary.returns.red.total, 5);
    for (const [k, v] of Object.entries(summary.returns.red.components))
      expect(line.return_components[k] ?? 0).toBeCloseTo(v, 5);
    expect(line.winner).toBe(summary.winner);
    expect(line.terminal_reason).toBe(summary.terminal_reason);
  });

  it("number groups per seed, keep seed/group order under concurrency, and ids consistent", async () => {
    const { lines } = await rollouts({
      role: "red",
      policy: "random",
      opponent: "scripted:probe-threshold",
      seeds: [5, 6, 7],
      groupSize: 3,
      concurrency: 4,
    });
    expect(lines.map((l) => [l.seed, l.group_index])).toEqual([
      [5, 0],
      [5, 1],
      [5, 2],
      [6, 0],
      [6, 1],
      [6, 2],
      [7, 0],
      [7, 1],
      [7, 2],
    ]);
    for (const l of lines) {
      expect(l.group_id).toBe(`run-1/${l.seed}`);
      expect(l.episode_id).toBe(`run-1/${l.seed}/${l.group_index}`);
    }
    // Members of a group play the same episode with their own sampling seeds.
    const g = lines.filter((l) => l.seed === 5);
    const firstActions = g.map((l) => JSON.stringify(l.steps.map((s) => s.action)));
    expect(new Set(firstActions).size).toBeGreaterThan(1);
    // The same run again gives the same lines, latencies aside.
    const again = await rollouts({
      role: "red",
      policy: "random",
      opponent: "scripted:probe-threshold",
      seeds: [5, 6, 7],
      groupSize: 3,
      concurrency: 1,
    });
    const strip = (l: RolloutLine) =>
      JSON.stringify({ ...l, wall_ms: 0, steps: l.steps.map((s) => ({ ...s, latency_ms: 0 })) });
    expect(again.lines.map(strip)).toEqual(lines.map(strip));
  });

  it("carry an LLM policy's call accounting", async () => {
    const ep = await startFakeEndpoint((_r, i) =>
      i % 2 === 0
        ? { kind: "tool", name: "monitor", arguments: {} }
        : { kind: "text", content: "no idea" },
    );
    try {
      // Several seeds: against the steer Red one episode may end on its first tick,
      // after a single (well-formed) call.
      const { lines } = await rollouts({
        policy: `llm:${ep.url}#m`,
        seeds: [1, 2, 3],
        groupSize: 1,
      });
      let noAction = 0;
      for (const line of lines) {
        const stats = line.policy_stats!;
        expect(stats.calls).toBe(line.steps.length);
        expect(stats.tool_calls + (stats.malformed.no_action ?? 0)).toBe(stats.calls);
        noAction += stats.malformed.no_action ?? 0;
      }
      expect(noAction).toBeGreaterThan(0);
    } finally {
      await ep.close();
    }
  });

  it("reject a line that breaks the schema, naming the line and field", async () => {
    const { text } = await rollouts({ seeds: [1], groupSize: 1 });
    const bad = JSON.parse(text);
    bad.return = "high";
    expect(() => parseRollouts(`${text}${JSON.stringify(bad)}\n`)).toThrow(/line 2: return/);
    expect(() => parseRollouts("{nope\n")).toThrow(/line 1 is not JSON/);
    expect(RolloutLineSchema.safeParse({ ...bad, return: 1, extra: 1 }).success).toBe(false);
    const schema = rolloutJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["run_id", "episode_id", "seed", "group_id", "steps", "return"]),
    );
  });

  it("need an opponent and a valid policy before any episode runs", async () => {
    await expect(rollouts({ opponent: "none" })).rejects.toThrow(/needs an opponent/);
    await expect(rollouts({ policy: "nobody" })).rejects.toThrow(/unknown blue policy/);
    await expect(rollouts({ groupSize: 0 })).rejects.toThrow(/group size/);
  });
});

describe("seed lists", () => {
  it("parse ranges, lists and mixes, and reject the rest", () => {
    expect(parseSeeds("0..3")).toEqual([0, 1, 2, 3]);
    expect(parseSeeds("5,1, 9")).toEqual([5, 1, 9]);
    expect(parseSeeds("0..1,10")).toEqual([0, 1, 10]);
    expect(() => parseSeeds("3..1")).toThrow(/backwards/);
    expect(() => parseSeeds("a..b")).toThrow(/A\.\.B/);
    expect(() => parseSeeds("-1")).toThrow();
  });
});
