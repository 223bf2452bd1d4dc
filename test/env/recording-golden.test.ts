// Speed work must not change behaviour (issue 16): a fixed set of seeded episodes,
// recorded as JSONL, hashes to the same value as the recordings made before the
// speed work (rules v2). Every observation, reward, probe summary and reply is in
// the recording, so a changed draw, float or view anywhere changes the hash. A
// deliberate rules change (a new RULES_VERSION or RULES_REVISION) records a new
// golden value here.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { RULES_REVISION, RULES_VERSION } from "../../src/arena/config.js";
import { playEpisode, Recorder, SeigeEnv } from "../../src/env/index.js";
import { SimTarget } from "../../src/target/sim/sim-target.js";

/**
 * sha256 of the recordings below, per rules version and revision ("2.0"). The 2.0
 * value was recorded on the rules branch's final reward tuning without the speed work,
 * and the merged build gave the same bytes. 2.1 (issue 12, I2) changed benign traffic
 * (user profiles: a persistent share of users asks borderline things) and the scripted
 * Reds' text (shaped to traffic's length), so every recording changed; the revision on
 * the reset line makes replay refuse a 2.0 recording by name.
 */
const GOLDEN: Record<string, string> = {
  "2.0": "e20ad8992dafd6f4f1a8ed724dd25dc57e7c1417e092bc29750a4748c1e17964",
  "2.1": "40d515507b9facf44ed39233a4ca978a17cb96bc24c6ee092552f1cd3fafe0a8",
};
const RULES = `${RULES_VERSION}.${RULES_REVISION}`;

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
  it(`12 seeded episodes hash to the rules v${RULES} golden value`, async () => {
    expect(GOLDEN[RULES], `no golden recording hash for rules v${RULES}`).toBeDefined();
    expect(await recordSet()).toBe(GOLDEN[RULES]);
  });
});
