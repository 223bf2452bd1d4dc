/**
 * Prints the audit's rows as a fixed-width text table (the form pasted into
 * docs/audit.md) followed by the verdict per property. `--json` output is the
 * rows themselves (src/commands/audit.ts); this file only formats.
 */
import type { Estimate } from "./stats.js";
import { failedProperties, PROPERTIES, type Property, type Row } from "./verdict.js";

const num = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
const pm = (e: Estimate) => (e.ci > 0 ? `${num(e.mean)} ± ${num(e.ci)}` : num(e.mean));

export function formatTable(rows: readonly Row[]): string {
  const header = [
    "prop",
    "policy",
    "opponent",
    "stage",
    "metric",
    "value (95% CI)",
    "bar",
    "bar value",
    "diff",
    "verdict",
  ];
  const cells = rows.map((r) => [
    r.property,
    r.policy,
    r.opponent,
    String(r.stage),
    r.metric,
    pm(r.value),
    `${r.bar.comparison === "below" ? "<" : "≤"} ${r.bar.name}`,
    r.diff ? pm(r.bar.value) : "",
    r.diff ? pm(r.diff) : "",
    r.verdict === "FAIL" ? `FAIL ${r.property}` : "PASS",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
  const notes = rows
    .filter((r) => r.note)
    .map((r) => `  ${r.property} ${r.policy} vs ${r.opponent}, stage ${r.stage}: ${r.note}`);
  if (notes.length) out.push("", "fitted / counted:", ...notes);
  out.push("", ...propertySummary(rows));
  return `${out.join("\n")}\n`;
}

export function propertySummary(rows: readonly Row[]): string[] {
  const failed = new Set(failedProperties(rows));
  return (Object.keys(PROPERTIES) as Property[])
    .filter((p) => rows.some((r) => r.property === p))
    .map((p) => {
      const n = rows.filter((r) => r.property === p).length;
      const bad = rows.filter((r) => r.property === p && r.verdict === "FAIL").length;
      return `${p} ${PROPERTIES[p]}: ${failed.has(p) ? `FAIL (${bad}/${n} rows)` : `PASS (${n} rows)`}`;
    });
}
