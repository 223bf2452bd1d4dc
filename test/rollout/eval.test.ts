// Cross-play evaluation: the matrix holds one cell per (Red, Blue) pair with the
// same numbers `playEpisode` gives for those seeds, win rates carry Wilson 95%
// intervals, and the text, JSON and HTML renderings show every cell; the HTML
// page is self-contained (no scripts, no external assets).
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { playEpisode, SeigeEnv } from "../../src/env/index.js";
import {
  crossPlay,
  formatCrossPlay,
  renderCrossPlayHtml,
  wilson95,
} from "../../src/rollout/index.js";
import { createTarget } from "../../src/target/index.js";

describe("cross-play", () => {
  it("gives one cell per pair matching playEpisode on the same seeds", async () => {
    const target = await createTarget();
    const seeds = [0, 1, 2, 3, 4, 5];
    const report = await crossPlay({
      red: ["random", "steer"],
      blue: ["allow-all", "probe-threshold"],
      seeds,
      stage: 2,
      target,
      concurrency: 2,
    });
    expect(report.cells).toHaveLength(2);
    expect(report.cells.every((row) => row.length === 2)).toBe(true);
    const cell = report.cells[1]![0]!;
    expect([cell.red, cell.blue, cell.episodes]).toEqual(["steer", "allow-all", 6]);

    const env = new SeigeEnv(target);
    const red = resolvePolicy("red", "steer");
    const blue = resolvePolicy("blue", "allow-all");
    const outs = [];
    for (const seed of seeds) outs.push(await playEpisode(env, red, blue, { seed, stage: 2 }));
    const mean = outs.reduce((s, o) => s + o.returns.red, 0) / seeds.length;
    expect(cell.red_return.mean).toBeCloseTo(mean, 3);
    const wins = outs.filter((o) => o.summary.winner === "red").length;
    expect(cell.red_win_rate).toEqual(wilson95(wins, seeds.length));
    expect(cell.draws).toBe(
      seeds.length - wins - outs.filter((o) => o.summary.winner === "blue").length,
    );
    for (const c of report.cells.flat()) {
      for (const i of [c.red_return, c.blue_return, c.red_win_rate, c.blue_win_rate]) {
        expect(i.ci95[0]).toBeLessThanOrEqual(i.mean + 1e-9);
        expect(i.ci95[1]).toBeGreaterThanOrEqual(i.mean - 1e-9);
      }
    }
    // Informed Red against no defence should beat random Red against a real one.
    expect(report.cells[1]![0]!.red_return.mean).toBeGreaterThan(
      report.cells[0]![1]!.red_return.mean,
    );

    const table = formatCrossPlay(report);
    for (const name of ["random", "steer", "allow-all", "probe-threshold", "Red win rate"])
      expect(table).toContain(name);
    const html = renderCrossPlayHtml(report, "seige eval --red random,steer <x>");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(html).toContain("&#60;x&#62;");
    expect(html.match(/<td /g)).toHaveLength(4 * 4);
    expect(JSON.parse(JSON.stringify(report)).cells[0][0].red).toBe("random");
  });

  it("computes Wilson intervals that stay inside [0, 1] at the extremes", () => {
    expect(wilson95(0, 10)).toEqual({ mean: 0, ci95: [0, 0.2775] });
    expect(wilson95(10, 10)).toEqual({ mean: 1, ci95: [0.7225, 1] });
    const half = wilson95(5, 10);
    expect(half.mean).toBe(0.5);
    expect(half.ci95[0]).toBeCloseTo(0.2366, 3);
    expect(half.ci95[1]).toBeCloseTo(0.7634, 3);
    expect(wilson95(0, 0)).toEqual({ mean: 0, ci95: [0, 1] });
  });
});
