import { describe, expect, it } from "vitest";
import { Curriculum, type EpisodeResult, metricValue } from "../../src/arena/curriculum.js";

const ep = (stage: number, winner: EpisodeResult["winner"], blue = 0): EpisodeResult => ({
  stage,
  winner,
  returns: { red: -blue, blue },
});

describe("curriculum", () => {
  it("starts at stage 1 and stays there until a full window has been recorded", () => {
    const c = new Curriculum({ window: 10 });
    for (let i = 0; i < 9; i++) c.record(ep(1, "blue"));
    expect(c.nextStage()).toBe(1);
    c.record(ep(1, "red"));
    expect(c.nextStage()).toBe(2);
    expect(c.stage).toBe(2);
  });

  it("promotes only when the rolling mean over the window reaches the threshold", () => {
    const c = new Curriculum({
      window: 10,
      promoteAt: { 1: { metric: "blue_win_rate", threshold: 0.6 } },
    });
    for (let i = 0; i < 10; i++) c.record(ep(1, i < 5 ? "blue" : "none"));
    expect(c.rollingMetric()).toBeCloseTo(0.5);
    expect(c.nextStage()).toBe(1);
    // The window rolls: old episodes drop out as new ones arrive.
    c.record(ep(1, "blue"));
    expect(c.rollingMetric()).toBeCloseTo(0.5);
    c.record(ep(1, "none"));
    expect(c.nextStage()).toBe(1);
    // Window now holds 4 blue wins; each further win pushes out a win or a draw:
    // 4, 4, 4, 5 wins, then the fifth new win makes 6 of 10.
    for (let i = 0; i < 4; i++) c.record(ep(1, "blue"));
    expect(c.nextStage()).toBe(1);
    c.record(ep(1, "blue"));
    expect(c.nextStage()).toBe(2);
    expect(c.episodesAtStage()).toBe(0);
  });

  it("uses return thresholds, ignores other stages and never passes stage 3", () => {
    const c = new Curriculum({
      window: 3,
      startStage: 2,
      promoteAt: { 2: { metric: "blue_return", threshold: 5 } },
    });
    c.record(ep(1, "blue", 100));
    expect(c.episodesAtStage()).toBe(0);
    for (const r of [4, 5, 6]) c.record(ep(2, "none", r));
    expect(c.nextStage()).toBe(3);
    for (let i = 0; i < 10; i++) c.record(ep(3, "blue", 100));
    expect(c.nextStage()).toBe(3);
  });

  it("accepts episode summaries as records", () => {
    const c = new Curriculum({ window: 1 });
    c.record({
      seed: 0,
      stage: 1,
      task: "secret_extraction",
      protected_value: "x",
      policy_rules: [],
      red_sessions: ["s1"],
      ticks: 3,
      terminated: true,
      truncated: false,
      terminal_reason: "red_leak",
      winner: "red",
      attacks: [],
      benign: { requests: 0, blocked: 0, flagged: 0, patched: 0 },
      explanation_scores: {},
      explanation_targets: {},
      returns: { red: { total: 10, components: {} }, blue: { total: -10, components: {} } },
    });
    expect(c.nextStage()).toBe(2);
  });

  it("computes each metric as a plain mean", () => {
    const rs = [ep(1, "red", -2), ep(1, "blue", 4), ep(1, "none", 1), ep(1, "blue", 1)];
    expect(metricValue("red_win_rate", rs)).toBe(0.25);
    expect(metricValue("blue_win_rate", rs)).toBe(0.5);
    expect(metricValue("decisive_rate", rs)).toBe(0.75);
    expect(metricValue("blue_return", rs)).toBe(1);
    expect(metricValue("red_return", rs)).toBe(-1);
    expect(metricValue("blue_return", [])).toBe(0);
  });
});
