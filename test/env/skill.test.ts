// GAME.md §1.2 as a test: on a fixed seed set, a probe-then-decide Blue beats the
// degenerate Blues, and an informed Red beats a random one. These compare measured
// returns, so they fail if the rules or the sim make a degenerate policy competitive.
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { playEpisode, SeigeEnv } from "../../src/env/index.js";
import { meanCi95 } from "../../src/env/metrics.js";
import { createTarget } from "../../src/target/index.js";

const SEEDS_PER_STAGE = 100; // 2 stages ⇒ 200 episodes per pairing
const seeds = Array.from({ length: SEEDS_PER_STAGE }, (_, i) => 1000 + i);

async function returns(red: string, blue: string) {
  const env = new SeigeEnv(await createTarget());
  const r = resolvePolicy("red", red);
  const b = resolvePolicy("blue", blue);
  const out = { red: [] as number[], blue: [] as number[] };
  for (const stage of [2, 3] as const) {
    for (const seed of seeds) {
      const o = await playEpisode(env, r, b, { seed, stage });
      out.red.push(o.summary.returns.red.total);
      out.blue.push(o.summary.returns.blue.total);
    }
  }
  return { red: meanCi95(out.red), blue: meanCi95(out.blue), n: out.red.length };
}

describe("skill wins (200 episodes per pairing, stages 2 and 3)", () => {
  it("probe-threshold Blue beats block-all, flag-all and allow-all against steer Red", async () => {
    const skilled = await returns("steer", "probe-threshold");
    expect(skilled.n).toBe(200);
    for (const degenerate of ["block-all", "flag-all", "allow-all"]) {
      const d = await returns("steer", degenerate);
      // A clear margin: the intervals do not overlap and the gap is at least 5 reward units.
      expect(skilled.blue.return_ci95[0], `probe-threshold vs ${degenerate}`).toBeGreaterThan(
        d.blue.return_ci95[1],
      );
      expect(skilled.blue.mean_return - d.blue.mean_return).toBeGreaterThan(5);
    }
  });

  it("steer Red beats random Red against probe-threshold Blue", async () => {
    const informed = await returns("steer", "probe-threshold");
    const random = await returns("random", "probe-threshold");
    expect(informed.red.return_ci95[0]).toBeGreaterThan(random.red.return_ci95[1]);
    expect(informed.red.mean_return - random.red.mean_return).toBeGreaterThan(2);
  });
});
