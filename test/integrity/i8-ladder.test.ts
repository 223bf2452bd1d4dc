// GAME.md I8 (the ladder holds), on seeds no other test uses: probe-threshold Blue
// beats allow-all, block-all and flag-all against the attacking scripted Reds; the
// informed (steer) Red beats the random and idle Reds against every scripted Blue;
// and an idle Red is not the best response to any scripted Blue (against block-all,
// which acts on everything, attacking still pays).
import { describe, expect, it } from "vitest";
import type { Stage } from "../../src/arena/schema.js";
import { beats, pairedGap, play, returnsOf, seedsFrom } from "./helpers.js";

const seeds = seedsFrom(7800, 20);
const cache = new Map<string, Promise<ReturnType<typeof returnsOf>>>();
const ret = (red: string, blue: string, stage: Stage, role: "red" | "blue") => {
  const key = `${red}/${blue}/${stage}/${role}`;
  if (!cache.has(key))
    cache.set(
      key,
      play(red, blue, stage, seeds).then((s) => returnsOf(s, role)),
    );
  return cache.get(key)!;
};

/** Blue's return per seed (seed order), for paired comparisons. */
const blueReturns = async (red: string, blue: string, stage: Stage) =>
  (await play(red, blue, stage, seeds)).map((x) => x.returns.blue.total);

describe("I8 the ladder holds", () => {
  for (const stage of [1, 2, 3] as Stage[]) {
    // Judged on the paired per-seed difference, as the audit judges it: the same Red on
    // the same seeds, so traffic and opponent noise cancel. Against the steer Red at stage
    // 3 the probing Blue wins about half the episodes, and an unpaired interval over 20
    // seeds missed by 0.4 of a reward unit after rules v2 revision 1 redrew the episodes
    // (paired: +13.9 [0.9, 26.9]).
    it(`probe-threshold beats the degenerate Blues against text and steer Red (stage ${stage})`, async () => {
      for (const red of ["text", "steer"]) {
        const skilled = await blueReturns(red, "probe-threshold", stage);
        for (const blue of ["allow-all", "block-all", "flag-all"]) {
          const gap = pairedGap(skilled, await blueReturns(red, blue, stage));
          expect(gap.lo > 0 && gap.mean > 2, `${red}: probe-threshold vs ${blue}`).toBe(true);
        }
      }
    });

    it(`steer Red beats random and idle Red against allow-all and flag-all (stage ${stage})`, async () => {
      for (const blue of ["allow-all", "flag-all"]) {
        const informed = await ret("steer", blue, stage, "red");
        for (const weak of ["random", "idle"]) {
          const w = await ret(weak, blue, stage, "red");
          expect(beats(informed, w, 1), `steer vs ${weak} against ${blue}`).toBe(true);
        }
      }
    });
  }

  // Against the random Red the margin is a few reward units and episodes vary a lot
  // (how many steering requests it makes, at which layers), so this one is judged on
  // the paired per-seed difference over more seeds. Each logs its figures for the docs.
  const show = (what: string, a: { mean: number; lo: number; hi: number }, b: { mean: number }) =>
    console.log(
      `I8 ${what}: ${a.mean.toFixed(2)} [${a.lo.toFixed(2)}, ${a.hi.toFixed(2)}] vs ${b.mean.toFixed(2)}`,
    );
  const randomSeeds = seedsFrom(7800, 80);
  for (const stage of [2, 3] as Stage[]) {
    it(`probe-threshold beats allow-all against random Red (stage ${stage}, paired, 80 seeds)`, async () => {
      const skilled = (await play("random", "probe-threshold", stage, randomSeeds)).map(
        (x) => x.returns.blue.total,
      );
      const allow = (await play("random", "allow-all", stage, randomSeeds)).map(
        (x) => x.returns.blue.total,
      );
      const gap = pairedGap(skilled, allow);
      console.log(
        `I8 probe-threshold − allow-all, random Red, stage ${stage}: ${gap.mean.toFixed(2)} [${gap.lo.toFixed(2)}, ${gap.hi.toFixed(2)}]`,
      );
      expect(gap.lo).toBeGreaterThan(0);
    });
  }

  it("attacking beats idling against block-all (stage 2)", async () => {
    const steer = await ret("steer", "block-all", 2, "red");
    const idle = await ret("idle", "block-all", 2, "red");
    show("steer vs idle Red against block-all, stage 2", steer, idle);
    expect(beats(steer, idle)).toBe(true);
  });
});
