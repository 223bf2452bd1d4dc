// The learner learns, reproducibly, and its checkpoints work wherever a policy
// name does. A Red trained against allow-all at stage 1 must raise its return
// (it learns which texts leak and that small talk does not); the same seed must
// give the same metrics and the same weights; `learned:DIR` must load as a policy
// of its own role only, play in `seige play`-style episodes and as an env
// opponent, and a client-named folder must not leave SEIGE_LEARNED_DIR; a
// checkpoint that reads another number of view features is refused, not misread.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { playEpisode, SeigeEnv } from "../../src/env/index.js";
import {
  learnedPath,
  policyFromSpec,
  saveCheckpoint,
  train,
  type UpdateMetrics,
} from "../../src/learn/index.js";
import { createTarget } from "../../src/target/index.js";

const dir = mkdtempSync(join(tmpdir(), "seige-learn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function quickRed(seed: number, episodes: number) {
  const metrics: UpdateMetrics[] = [];
  const checkpoint = await train({
    role: "red",
    opponentName: "scripted:allow-all",
    makeOpponent: () => policyFromSpec("blue", "scripted:allow-all"),
    target: await createTarget(),
    stage: 1,
    seed,
    episodes,
    batch: 16,
    maxTicks: 4,
    lr: 0.01,
    now: () => 0,
    onUpdate: (m) => metrics.push(m),
  });
  return { metrics, checkpoint };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("seige train's learner", () => {
  it("raises Red's return against allow-all within 320 episodes (fixed seed)", async () => {
    const { metrics, checkpoint } = await quickRed(3, 320);
    const returns = metrics.map((m) => m.mean_return);
    expect(returns).toHaveLength(20);
    const early = mean(returns.slice(0, 3));
    const late = mean(returns.slice(-5));
    expect(late).toBeGreaterThan(early + 4);
    // entropy falls as the policy commits
    expect(mean(metrics.slice(-5).map((m) => m.entropy))).toBeLessThan(metrics[0]!.entropy);
    saveCheckpoint(dir, checkpoint);
  }, 60_000);

  it("is deterministic per seed", async () => {
    const a = await quickRed(5, 32);
    const b = await quickRed(5, 32);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = await quickRed(6, 32);
    expect(c.checkpoint.policy.params).not.toEqual(a.checkpoint.policy.params);
  }, 30_000);

  it("loads as learned:DIR for its own role only, and plays", async () => {
    const spec = `learned:${dir}`;
    expect(() => policyFromSpec("blue", spec)).toThrow(/red policy, not blue/);
    expect(() => policyFromSpec("red", `learned:${join(dir, "missing")}`)).toThrow(/no readable/);
    const red = policyFromSpec("red", spec);
    const out = await playEpisode(
      new SeigeEnv(await createTarget()),
      red,
      policyFromSpec("blue", "scripted:allow-all"),
      { seed: 1000, stage: 1, max_ticks: 4 },
    );
    expect(out.summary.attacks.length).toBeGreaterThan(0);
  });

  it("refuses a checkpoint trained on another number of view features", () => {
    const c = JSON.parse(readFileSync(join(dir, "policy.json"), "utf8"));
    const other = join(dir, "fewer-features");
    mkdirSync(other);
    c.policy.shape.input -= 4;
    saveCheckpoint(other, c);
    expect(() => policyFromSpec("red", `learned:${other}`)).toThrow(
      /trained on \d+ view features and this version of the game reads \d+; retrain it/,
    );
  });

  it("is an env opponent from inside SEIGE_LEARNED_DIR only", async () => {
    const before = process.env.SEIGE_LEARNED_DIR;
    process.env.SEIGE_LEARNED_DIR = join(dir, "..");
    try {
      const env = new SeigeEnv(await createTarget());
      const name = dir.split(/[\\/]/).at(-1);
      const r = await env.reset({
        seed: 1001,
        role: "blue",
        opponent: `learned:${name}`,
        stage: 1,
      });
      expect(r.observation.current_agent).toBe("blue");
      expect(r.observation.blue?.pending.length).toBeGreaterThan(0);
      for (const bad of [`learned:${dir}`, "learned:../x", "learned:"]) {
        await expect(env.reset({ seed: 1, role: "blue", opponent: bad })).rejects.toThrow(
          /learned/,
        );
      }
      const link = join(dir, "out");
      symlinkSync(tmpdir(), link);
      expect(() => learnedPath("out", dir)).toThrow(/outside/);
    } finally {
      if (before === undefined) delete process.env.SEIGE_LEARNED_DIR;
      else process.env.SEIGE_LEARNED_DIR = before;
    }
  });
});
