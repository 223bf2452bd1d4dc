/**
 * Folds one decode step's capture (one new row) into a sequence's running
 * capture result, so captures during generation cover every token fed, not only
 * the prompt: `all` appends the row, `last` replaces the value, `mean` updates
 * the running mean over all rows seen (the prompt's rows count from prefill).
 */
import type { CaptureResult } from "../intervene.js";

export function accumulateCapture(
  into: CaptureResult[],
  rowsSeen: Map<number, number>,
  step: CaptureResult,
): void {
  const prev = into.find((c) => c.index === step.index);
  if (!prev) {
    into.push({ ...step, value: step.value.slice() });
    rowsSeen.set(step.index, 1);
    return;
  }
  const seen = rowsSeen.get(step.index) ?? 0;
  if (step.reduce === "all") {
    const grown = new Float32Array(prev.value.length + step.value.length);
    grown.set(prev.value);
    grown.set(step.value, prev.value.length);
    prev.value = grown;
  } else if (step.reduce === "last") {
    prev.value = step.value.slice();
  } else {
    const m = prev.value;
    for (let i = 0; i < m.length; i++) m[i] = (m[i] * seen + step.value[i]) / (seen + 1);
  }
  rowsSeen.set(step.index, seen + 1);
}
