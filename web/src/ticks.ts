/**
 * Axis ticks for the charts (web/src/charts.ts), apart from the DOM so that the
 * tests can check them directly. Only the values; drawing is the chart's job.
 */

/**
 * "Nice" axis ticks over [lo, hi]: multiples of 1, 2 or 5 × 10^k, about
 * `count` of them, always including 0 when the range spans it.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const mag = 10 ** Math.floor(Math.log10((hi - lo) / Math.max(1, count)));
  const n = (step: number) => Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
  // The 1-2-5 step whose tick count is nearest `count` (ties: more ticks).
  let step = mag;
  for (const m of [2, 5, 10])
    if (Math.abs(n(m * mag) - count) < Math.abs(n(step) - count)) step = m * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return ticks;
}
