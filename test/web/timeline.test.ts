// The page's episode model (web/src/timeline.ts) against the in-process
// driver: frames read from a `Recorder` recording give the same returns as
// `playEpisode` (hence as `seige play`), each role's view comes only from
// frames that carried it, and a bad file is refused with its line number.
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { playEpisode, Recorder, SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import {
  cumulativeReturns,
  episodeCount,
  framesFromRecording,
  lastView,
  probesSeen,
} from "../../web/src/timeline.js";

async function recorded(seeds: number[], stage: 1 | 2 | 3) {
  const target = await createTarget({ backend: "sim" });
  const env = new SeigeEnv(target);
  const lines: string[] = [];
  new Recorder(target, (l) => lines.push(l)).attach(env);
  const outcomes = [];
  for (const seed of seeds) {
    outcomes.push(
      await playEpisode(
        env,
        resolvePolicy("red", "steer"),
        resolvePolicy("blue", "probe-threshold"),
        {
          seed,
          stage,
        },
      ),
    );
  }
  return { text: `${lines.join("\n")}\n`, outcomes };
}

describe("timeline", () => {
  it("tallies the same returns as playEpisode, episode by episode", async () => {
    const { text, outcomes } = await recorded([0, 1, 2], 2);
    expect(episodeCount(text)).toBe(3);
    outcomes.forEach((outcome, k) => {
      const { frames } = framesFromRecording(text, k);
      expect(frames.length).toBe(outcome.steps + 1);
      expect(frames.at(-1)!.done).toBe(true);
      const totals = cumulativeReturns(frames);
      expect(totals.red.at(-1)).toBeCloseTo(outcome.returns.red, 9);
      expect(totals.blue.at(-1)).toBeCloseTo(outcome.returns.blue, 9);
      expect(totals.red.at(-1)).toBeCloseTo(outcome.summary.returns.red.total, 4);
    });
  });

  it("gives each role only the views its own frames carried", async () => {
    const { text } = await recorded([4], 2);
    const { frames } = framesFromRecording(text);
    for (let i = 0; i < frames.length; i++) {
      const red = lastView(frames, i, "red");
      const blue = lastView(frames, i, "blue");
      if (red) expect(frames[red.frame].observation.current_agent).toBe("red");
      if (blue) expect(frames[blue.frame].observation.current_agent).toBe("blue");
      expect(red?.frame ?? -1).toBeLessThanOrEqual(i);
      expect(blue?.frame ?? -1).toBeLessThanOrEqual(i);
    }
    // Probe results are Blue's alone, each listed once.
    const probes = probesSeen(frames, frames.length - 1);
    const keys = probes.map((p) => `${p.tick}/${p.session_id}/${p.layer}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("refuses a file that is not a recording, naming the line", async () => {
    const { text } = await recorded([0], 1);
    const first = text.split("\n")[0];
    expect(() => framesFromRecording(`${first}\nnot json\n`)).toThrow(/line 2 is not JSON/);
    expect(() => framesFromRecording(`${first}\n{"type":"oops"}\n`)).toThrow(/line 2 .*'oops'/);
    expect(() => framesFromRecording('{"type":"step"}\n')).toThrow(/starts with a reset/);
    expect(() => framesFromRecording("")).toThrow(/no episode/);
  });
});
