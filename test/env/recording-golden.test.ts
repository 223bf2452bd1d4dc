// Speed work must not change behaviour (issue 16): a fixed set of seeded episodes,
// recorded as JSONL, hashes to the same value as the recordings made before the
// speed work (rules v2). Every observation, reward, probe summary and reply is in
// the recording, so a changed draw, float or view anywhere changes the hash. A
// deliberate rules change (a new RULES_VERSION) records a new golden value here.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { RULES_VERSION } from "../../src/arena/config.js";
import { playEpisode, Recorder, SeigeEnv } from "../../src/env/index.js";
import { SimTarget } from "../../src/target/sim/sim-target.js";

/**
 * sha256 of the recordings below, per rules version. The v2 value was recorded on the
 * rules branch's final reward tuning without the speed work, and the merged build gives
 * the same bytes.
 */
const GOLDEN: Record<number, string> = {
  2: "e20ad8992dafd6f4f1a8ed724dd25dc57e7c1417e092bc29750a4748c1e17964",
};

async function recordSet(): Promise<string> {
  const target = new SimTarget();
  const env = new SeigeEnv(target);
  const lines: string[] = [];
  new Recorder(target, (line) => lines.push(line)).attach(env);
  const pairings = [
    ["steer", "probe-threshold"],
    ["text", "flag-all"],
    ["random", "allow-all"],
    ["steer", "block-all"],
  ] as const;
  for (const stage of [1, 2, 3] as const)
    for (const [red, blue] of pairings)
      await playEpisode(env, resolvePolicy("red", red), resolvePolicy("blue", blue), {
        seed: 100 * stage + red.length,
        stage,
      });
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

describe("recordings stay byte-identical", () => {
  it(`12 seeded episodes hash to the rules v${RULES_VERSION} golden value`, async () => {
    expect(
      GOLDEN[RULES_VERSION],
      `no golden recording hash for rules v${RULES_VERSION}`,
    ).toBeDefined();
    expect(await recordSet()).toBe(GOLDEN[RULES_VERSION]);
  });
});
