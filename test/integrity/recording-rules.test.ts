// Recordings carry the rules version (rules v2) and its revision; replaying a rules v1
// recording, or one of an earlier revision of v2, is refused with a clear error
// instead of reporting a meaningless mismatch.
import { describe, expect, it } from "vitest";
import { RULES_REVISION, RULES_VERSION } from "../../src/arena/config.js";
import { Recorder, replayEpisodes, SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";

/** One monitored sim episode against the scripted text Red, recorded. */
async function recordEpisode(seed: number) {
  const target = await createTarget();
  const env = new SeigeEnv(target);
  const lines: string[] = [];
  new Recorder(target, (l) => lines.push(l)).attach(env);
  let r = await env.reset({ seed, stage: 1, role: "blue", opponent: "scripted:text" });
  while (!r.done) r = await env.step({ agent_type: "blue", action_type: "monitor" });
  return { target, lines };
}

describe("recordings and the rules version", () => {
  it("records rules: 2 and its revision on the reset line and replays it", async () => {
    const { target, lines } = await recordEpisode(7900);
    expect(JSON.parse(lines[0]).rules).toBe(RULES_VERSION);
    expect(JSON.parse(lines[0]).revision).toBe(RULES_REVISION);
    expect((await replayEpisodes(target, lines.join("\n"))).ok).toBe(true);
  });

  it("refuses a rules v1 recording by name", async () => {
    const target = await createTarget();
    const v1 = JSON.stringify({ type: "reset", version: 1, target: {}, options: {}, result: {} });
    await expect(replayEpisodes(target, `${v1}\n`)).rejects.toThrow(/rules v1 recording/);
  });

  // Revision 1 (issue 12, I2) changed benign traffic and the scripted Reds' text
  // without a new rules version; a recording from before it must not replay.
  it("refuses a recording of an earlier revision of rules v2 by name", async () => {
    const { target, lines } = await recordEpisode(7901);
    const { revision: _, ...before } = JSON.parse(lines[0]);
    const old = [JSON.stringify(before), ...lines.slice(1)].join("\n");
    await expect(replayEpisodes(target, old)).rejects.toThrow(
      new RegExp(
        `rules v2 revision 0 recording; this seige plays rules v2 revision ${RULES_REVISION}`,
      ),
    );
  });

  it("refuses a recording made on another target, naming both and how to choose", async () => {
    const { target, lines } = await recordEpisode(7902);
    const reset = JSON.parse(lines[0]);
    const other = JSON.stringify({
      ...reset,
      target: { backend: "lens", model: "seige-organism" },
    });
    await expect(replayEpisodes(target, [other, ...lines.slice(1)].join("\n"))).rejects.toThrow(
      /line 1 was played on target lens \(seige-organism\); this replay runs on sim .*SEIGE_TARGET_BACKEND/,
    );
  });
});
