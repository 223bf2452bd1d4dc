// Recordings carry the rules version (rules v2); replaying a rules v1 recording is
// refused with a clear error instead of reporting a meaningless mismatch.
import { describe, expect, it } from "vitest";
import { RULES_VERSION } from "../../src/arena/config.js";
import { Recorder, replayEpisodes, SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";

describe("recordings and the rules version", () => {
  it("records rules: 2 on the reset line and replays it", async () => {
    const target = await createTarget();
    const env = new SeigeEnv(target);
    const lines: string[] = [];
    new Recorder(target, (l) => lines.push(l)).attach(env);
    let r = await env.reset({ seed: 7900, stage: 1, role: "blue", opponent: "scripted:text" });
    while (!r.done) r = await env.step({ agent_type: "blue", action_type: "monitor" });
    expect(JSON.parse(lines[0]).rules).toBe(RULES_VERSION);
    expect((await replayEpisodes(target, lines.join("\n"))).ok).toBe(true);
  });

  it("refuses a rules v1 recording by name", async () => {
    const target = await createTarget();
    const v1 = JSON.stringify({ type: "reset", version: 1, target: {}, options: {}, result: {} });
    await expect(replayEpisodes(target, `${v1}\n`)).rejects.toThrow(/rules v1 recording/);
  });
});
