/**
 * The training report of `seige train`: self-contained SVG line charts (no
 * script, no external assets) of return, win rate, entropy and each reward
 * component against episodes, with the scripted baselines drawn as dashed
 * horizontal lines, and an HTML page that puts them beside the cross-play table
 * the command measured on held-out seeds. Curves are smoothed by a trailing mean
 * (window given in the chart's caption) because one update's batch is noisy.
 *
 * It computes nothing about the game: the command hands it metrics and tables.
 */
import type { UpdateMetrics } from "./train.js";

export interface Baseline {
  name: string;
  mean_return: number;
  win_rate: number;
  components: Record<string, number>;
}

export interface ChartSpec {
  title: string;
  xs: number[];
  ys: number[];
  baselines: { name: string; y: number }[];
  window: number;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const COLOURS = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export function smooth(ys: number[], window: number): number[] {
  return ys.map((_, i) => {
    const from = Math.max(0, i - window + 1);
    let s = 0;
    for (let j = from; j <= i; j++) s += ys[j];
    return s / (i - from + 1);
  });
}

function ticks(lo: number, hi: number, n = 4): number[] {
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

const num = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);

/** One line chart as an SVG element (width 600, height 260). */
export function lineChart(c: ChartSpec): string {
  const W = 600;
  const H = 260;
  const m = { l: 52, r: 210, t: 28, b: 36 };
  const ys = smooth(c.ys, c.window);
  const all = [...ys, ...c.baselines.map((b) => b.y)];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x0 = c.xs[0] ?? 0;
  const x1 = c.xs.at(-1) ?? 1;
  const X = (x: number) => m.l + ((x - x0) / Math.max(1e-9, x1 - x0)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((y - lo) / (hi - lo)) * (H - m.t - m.b);
  const path = ys
    .map((y, i) => `${i ? "L" : "M"}${X(c.xs[i]).toFixed(1)},${Y(y).toFixed(1)}`)
    .join("");
  const grid = ticks(lo, hi)
    .map(
      (t) =>
        `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t).toFixed(1)}" y2="${Y(t).toFixed(1)}" stroke="#eee"/>` +
        `<text x="${m.l - 4}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end">${num(t)}</text>`,
    )
    .join("");
  const xt = ticks(x0, x1)
    .map(
      (t) =>
        `<text x="${X(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${Math.round(t)}</text>`,
    )
    .join("");
  const base = c.baselines
    .map((b, i) => {
      const col = COLOURS[i % COLOURS.length];
      const y = Y(b.y).toFixed(1);
      return (
        `<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="${col}" stroke-dasharray="5,4"/>` +
        `<text x="${W - m.r + 6}" y="${(Number(y) + 4).toFixed(1)}" fill="${col}">${esc(b.name)} ${num(b.y)}</text>`
      );
    })
    .join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(c.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="16" font-size="13" font-weight="bold">${esc(c.title)}</text>`,
    grid,
    xt,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">episodes (trailing mean of ${c.window} updates)</text>`,
    base,
    `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    `<text x="${W - m.r + 6}" y="${m.t}" fill="#1f77b4">learned</text>`,
    "</svg>",
  ].join("");
}

/** The charts of one run: return, win rate, entropy, then one per reward component. */
export function trainCharts(
  metrics: UpdateMetrics[],
  baselines: Baseline[],
  role: string,
): string[] {
  const xs = metrics.map((m) => m.episodes);
  const window = Math.max(1, Math.round(metrics.length / 25));
  const chart = (title: string, ys: number[], base: { name: string; y: number }[]) =>
    lineChart({ title, xs, ys, baselines: base, window });
  const components = [...new Set(metrics.flatMap((m) => Object.keys(m.components)))].sort();
  return [
    chart(
      `${role} return per episode`,
      metrics.map((m) => m.mean_return),
      baselines.map((b) => ({ name: b.name, y: b.mean_return })),
    ),
    chart(
      `${role} win rate`,
      metrics.map((m) => m.win_rate),
      baselines.map((b) => ({ name: b.name, y: b.win_rate })),
    ),
    chart(
      "policy entropy (nats per decision, all heads)",
      metrics.map((m) => m.entropy),
      [],
    ),
    ...components.map((k) =>
      chart(
        `reward component: ${k}`,
        metrics.map((m) => m.components[k] ?? 0),
        baselines.map((b) => ({ name: b.name, y: b.components[k] ?? 0 })),
      ),
    ),
  ];
}

export function renderTrainReport(o: {
  title: string;
  command: string;
  summary: string[];
  charts: string[];
  crossPlayHtml: string;
}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(o.title)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1120px}svg{margin:6px;border:1px solid #ddd}
pre{background:#f6f6f6;padding:8px;overflow-x:auto}</style></head><body>
<h1>${esc(o.title)}</h1>
<pre>${esc(o.command)}</pre>
<ul>${o.summary.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>
<h2>Training curves</h2>
<p>Each point is one update's batch of training episodes (training seeds); dashed lines are the
scripted policies of the same role against the same opponent on the held-out seeds.</p>
<div>${o.charts.join("\n")}</div>
<h2>Cross-play on held-out seeds</h2>
${o.crossPlayHtml}
</body></html>
`;
}
