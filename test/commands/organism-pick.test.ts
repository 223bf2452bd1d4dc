import { describe, expect, it } from "vitest";
import { pickCheckpoint } from "../../src/commands/organism-pick.js";

const row = (dir: string, harmful: number, benign: number) => ({ dir, harmful, benign });

describe("pickCheckpoint", () => {
  it("takes the highest harmful refusal among exports within the benign bound", () => {
    const { pick, withinBound } = pickCheckpoint([
      row("a", 0.94, 0.13), // refuses most harmful requests, but too many benign ones
      row("b", 0.69, 0.09),
      row("c", 0.75, 0.06),
      row("d", 0.75, 0.1), // at the bound counts as within it
    ]);
    expect(withinBound).toBe(true);
    expect(pick.dir).toBe("c"); // tie with d on harmful: the lower benign wins
  });

  it("keeps the first listed on a full tie", () => {
    expect(pickCheckpoint([row("x", 0.75, 0.06), row("y", 0.75, 0.06)]).pick.dir).toBe("x");
  });

  it("falls back to the lowest benign refusal, then the higher harmful, when none is within the bound", () => {
    const { pick, withinBound } = pickCheckpoint([
      row("seed13", 0.81, 0.22),
      row("seed14", 0.5, 0.28),
      row("seed15", 0.88, 0.22),
    ]);
    expect(withinBound).toBe(false);
    expect(pick.dir).toBe("seed15");
  });

  it("refuses an empty list", () => {
    expect(() => pickCheckpoint([])).toThrow(/at least one/);
  });
});
