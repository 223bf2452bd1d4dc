// The training report's charts: one SVG per measure, the scripted baselines drawn
// as dashed lines with their values, every reward component charted, and text
// from policy names escaped.
import { describe, expect, it } from "vitest";
import { lineChart, smooth, trainCharts } from "../../src/learn/report.js";
import type { UpdateMetrics } from "../../src/learn/train.js";

const metric = (update: number, ret: number): UpdateMetrics => ({
  update,
  episodes: update * 16,
  seconds: update,
  mean_return: ret,
  win_rate: ret > 0 ? 0.5 : 0,
  components: { step_cost: -1, ...(update > 2 ? { true_positive: 10 } : {}) },
  entropy: 3 - update / 10,
  value_loss: 1,
  grad_norm: 1,
  decisions: 100,
});

describe("training report", () => {
  it("charts return, win rate, entropy and each component with baselines", () => {
    const metrics = [1, 2, 3, 4, 5].map((u) => metric(u, u * 3 - 8));
    const charts = trainCharts(
      metrics,
      [{ name: "scripted:<probe>", mean_return: -7.5, win_rate: 0.1, components: {} }],
      "blue",
    );
    expect(charts).toHaveLength(5); // return, win rate, entropy, step_cost, true_positive
    expect(charts[0]).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(charts[0]).toContain('stroke-dasharray="5,4"');
    expect(charts[0]).toContain("scripted:&lt;probe&gt; -7.50");
    expect(charts[0]).not.toContain("<probe>");
    expect(charts.join("")).toContain("reward component: true_positive");
    expect(charts[0]).not.toMatch(/NaN|Infinity/);
  });

  it("smooths with a trailing mean and survives a flat or single-point series", () => {
    expect(smooth([1, 3, 5, 7], 2)).toEqual([1, 2, 4, 6]);
    const flat = lineChart({ title: "t", xs: [16], ys: [2], baselines: [], window: 1 });
    expect(flat).not.toMatch(/NaN|Infinity/);
  });
});
