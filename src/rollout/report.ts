/**
 * How a cross-play report is shown: a plain-text table per measure (rows are Red
 * policies, columns Blue policies) and a self-contained HTML page with one
 * heatmap per measure — inline CSS, no script, no external assets, so it opens
 * from disk or an artifact store. Colours run from blue (good for Blue) through
 * white to red (good for Red); each cell prints its value and 95% interval, so
 * colour is never the only carrier of a number.
 */
import type { CrossPlayCell, CrossPlayReport, Interval } from "./crossplay.js";

interface Measure {
  title: string;
  get: (c: CrossPlayCell) => Interval;
  percent: boolean;
  /** +1 when a higher value is good for Red, -1 when good for Blue */
  sign: 1 | -1;
}

const MEASURES: Measure[] = [
  { title: "Red mean return", get: (c) => c.red_return, percent: false, sign: 1 },
  { title: "Red win rate", get: (c) => c.red_win_rate, percent: true, sign: 1 },
  { title: "Blue mean return", get: (c) => c.blue_return, percent: false, sign: -1 },
  { title: "Blue win rate", get: (c) => c.blue_win_rate, percent: true, sign: -1 },
];

function fmt(i: Interval, percent: boolean): string {
  const f = (x: number) => (percent ? `${(100 * x).toFixed(0)}%` : x.toFixed(2));
  return `${f(i.mean)} [${f(i.ci95[0])}, ${f(i.ci95[1])}]`;
}

function header(r: CrossPlayReport): string {
  const seeds =
    r.seeds.length > 0 ? `${r.seeds.length} seeds (${r.seeds[0]}..${r.seeds.at(-1)})` : "no seeds";
  return `cross-play: ${seeds}, stage ${r.stage}, target ${r.target.backend}/${r.target.model}`;
}

/** One text table per measure; rows Red, columns Blue. */
export function formatCrossPlay(r: CrossPlayReport): string {
  const out = [header(r), ""];
  for (const m of MEASURES) {
    const rows = [["red \\ blue", ...r.blue]];
    r.red.forEach((red, i) => {
      rows.push([red, ...r.blue.map((_, j) => fmt(m.get(r.cells[i]![j]!), m.percent))]);
    });
    const widths = rows[0]!.map((_, k) => Math.max(...rows.map((row) => row[k]!.length)));
    out.push(`${m.title} (95% CI)`);
    for (const row of rows)
      out.push(
        row
          .map((c, k) => c.padEnd(widths[k]!))
          .join("  ")
          .trimEnd(),
      );
    out.push("");
  }
  return `${out.join("\n")}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A colour for `t` in [-1, 1]: blue at -1, white at 0, red at +1. */
function colour(t: number): string {
  const a = Math.min(1, Math.abs(t));
  const mix = (x: number) => Math.round(255 - (255 - x) * a);
  return t >= 0 ? `rgb(255,${mix(80)},${mix(80)})` : `rgb(${mix(70)},${mix(120)},255)`;
}

function heatmap(r: CrossPlayReport, m: Measure): string {
  const values = r.cells.flat().map((c) => m.get(c).mean);
  // Rates are coloured around 50%. Returns are coloured relative to the range shown:
  // Blue's returns are negative in most cells, so a zero centre would paint them all one colour.
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const centre = m.percent ? 0.5 : (lo + hi) / 2;
  const scale = m.percent ? 0.5 : Math.max(1e-9, (hi - lo) / 2);
  const head = r.blue.map((b) => `<th scope="col">${escapeHtml(b)}</th>`).join("");
  const body = r.red
    .map((red, i) => {
      const tds = r.blue
        .map((_, j) => {
          const v = m.get(r.cells[i]![j]!);
          const bg = colour((m.sign * (v.mean - centre)) / scale);
          return `<td style="background:${bg}">${escapeHtml(fmt(v, m.percent))}</td>`;
        })
        .join("");
      return `<tr><th scope="row">${escapeHtml(red)}</th>${tds}</tr>`;
    })
    .join("\n");
  return `<section><h2>${escapeHtml(m.title)} <small>(95% CI)</small></h2>
<table><thead><tr><th>red \\ blue</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table></section>`;
}

/** A self-contained HTML page with one heatmap per measure. */
export function renderCrossPlayHtml(r: CrossPlayReport, command?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>seige cross-play</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}
th,td{border:1px solid #ccc;padding:.4em .7em;text-align:center;white-space:nowrap}
th{background:#f4f4f4}
small{color:#666;font-weight:normal}
code{background:#f4f4f4;padding:0 .3em}
</style></head><body>
<h1>seige cross-play</h1>
<p>${escapeHtml(header(r))}. Rows are Red policies, columns Blue policies. Red shades favour Red, blue shades favour Blue: win rates relative to 50%, returns relative to the range of their table.</p>
${command ? `<p>Reproduce: <code>${escapeHtml(command)}</code></p>` : ""}
${MEASURES.map((m) => heatmap(r, m)).join("\n")}
</body></html>
`;
}
