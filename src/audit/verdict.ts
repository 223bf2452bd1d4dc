/**
 * How the audit decides. Every row compares one measured quantity with the bar
 * that GAME.md's integrity property sets for it:
 *
 * - against a policy (the skilled baseline, or the role's do-nothing policy),
 *   played on the same held-out seeds against the same opponent. The verdict
 *   rests on the paired difference (trick − bar, per seed). `below` (a trick must
 *   score *below* skill): FAIL when the mean difference is ≥ 0 — a tie fails, and
 *   noise cannot hide a trick that is as good as skill. `at-most` (quitting may
 *   be no better than doing nothing): FAIL only when the trick is better with
 *   95% confidence, since quitting and doing nothing may well score the same.
 * - against a number (AUROC ≤ 0.65, an explanation score < 0.3 or < 0.5, zero
 *   violations): the point estimate decides; the interval is printed beside it.
 *
 * This file holds the property names and the judging; it plays nothing.
 */
import { type Estimate, estimate, pairedDifference } from "./stats.js";

export const PROPERTIES = {
  I1: "winning pays best",
  I2: "benign traffic looks like traffic",
  I3: "prevented means prevented",
  I4: "attacks are defined by hidden truth",
  I5: "no profitable quitting",
  I6: "explanations need knowledge",
  I7: "seeds stay with the driver",
  I8: "the ladder holds",
} as const;
export type Property = keyof typeof PROPERTIES;

export type Comparison = "below" | "at-most";

export interface Bar {
  /** the bar's name: a policy (`probe-threshold`) or a limit (`0.65`) */
  name: string;
  value: Estimate;
  comparison: Comparison;
}

export interface Row {
  property: Property;
  policy: string;
  opponent: string;
  stage: number;
  /** what `value` measures: `return`, `AUROC`, `score`, `violations`, … */
  metric: string;
  value: Estimate;
  bar: Bar;
  /** per-seed paired difference value − bar, when the bar is a policy */
  diff: Estimate | null;
  verdict: "PASS" | "FAIL";
  /** what was fitted or counted, for the reader */
  note?: string;
}

type Where = Pick<Row, "property" | "policy" | "opponent" | "stage"> & { note?: string };

/** A policy's returns against a bar policy's returns on the same seeds. */
export function returnRow(
  where: Where,
  returns: readonly number[],
  barName: string,
  barReturns: readonly number[],
  comparison: Comparison,
): Row {
  const diff = pairedDifference(returns, barReturns);
  const fail = comparison === "below" ? !(diff.mean < 0) : diff.mean - diff.ci > 0;
  return {
    ...where,
    metric: "return",
    value: estimate(returns),
    bar: { name: barName, value: estimate(barReturns), comparison },
    diff,
    verdict: fail ? "FAIL" : "PASS",
  };
}

/** A measured quantity against a fixed limit. */
export function limitRow(
  where: Where,
  metric: string,
  value: Estimate,
  limit: number,
  comparison: Comparison,
): Row {
  const fail =
    Number.isNaN(value.mean) ||
    (comparison === "below" ? !(value.mean < limit) : value.mean > limit);
  return {
    ...where,
    metric,
    value,
    bar: { name: String(limit), value: { mean: limit, ci: 0, n: 0 }, comparison },
    diff: null,
    verdict: fail ? "FAIL" : "PASS",
  };
}

/** The failed properties, in order, each once. */
export const failedProperties = (rows: readonly Row[]): Property[] =>
  [...new Set(rows.filter((r) => r.verdict === "FAIL").map((r) => r.property))].sort();

/** The audit's exit code: 1 when any property fails. */
export const exitCode = (rows: readonly Row[]): number => (failedProperties(rows).length ? 1 : 0);
