import { describe, expect, it } from "vitest";
import { parseRecording, replayEpisodes } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import { checkDeterminism, recordEpisodes } from "../helpers/determinism.js";

describe("recording and replay", () => {
  it("same seed and same actions give a byte-identical recording", async () => {
    for (const stage of [1, 2, 3] as const) {
      const { a, b } = await checkDeterminism(() => createTarget(), {
        red: "steer",
        blue: "probe-threshold",
        seeds: [3, 4, 5],
        options: { stage },
      });
      expect(a.length).toBeGreaterThan(1000);
      expect(a).toBe(b);
    }
  });

  it("different seeds give different episodes", async () => {
    const t = await createTarget();
    const a = await recordEpisodes(t, { red: "text", blue: "probe-threshold", seeds: [1] });
    const b = await recordEpisodes(t, { red: "text", blue: "probe-threshold", seeds: [2] });
    expect(a).not.toBe(b);
  });

  it("a recording replays exactly, and a tampered one is caught at the right line", async () => {
    const target = await createTarget();
    const text = await recordEpisodes(target, {
      red: "random",
      blue: "probe-threshold",
      seeds: [7, 8],
      options: { stage: 3 },
    });
    const report = await replayEpisodes(await createTarget(), text);
    expect(report).toMatchObject({ ok: true, episodes: 2 });
    expect(report.steps).toBe(parseRecording(text).filter((l) => l.line.type === "step").length);

    // Change one target reply in the 4th line: the replay must report exactly that line.
    const lines = text.trim().split("\n");
    const parsed = JSON.parse(lines[3]);
    parsed.result.reward += 1;
    lines[3] = JSON.stringify(parsed);
    const bad = await replayEpisodes(await createTarget(), `${lines.join("\n")}\n`);
    expect(bad.ok).toBe(false);
    expect(bad.mismatch?.line).toBe(4);
  });

  it("rejects recordings that are not JSONL of this version", async () => {
    const target = await createTarget();
    await expect(replayEpisodes(target, "not json\n")).rejects.toThrow(/line 1 is not JSON/);
    await expect(replayEpisodes(target, '{"type":"reset","version":99}\n')).rejects.toThrow(
      /version 99/,
    );
    await expect(replayEpisodes(target, '{"type":"step"}\n')).rejects.toThrow(
      /starts with a reset/,
    );
  });
});
