/**
 * The statistics the audit's verdicts rest on: a mean with its 95% interval, the
 * paired difference of two policies played on the same seeds (same opponent, same
 * traffic, so most of the episode-to-episode noise cancels), and AUROC with the
 * Hanley–McNeil interval for the surface-feature classifier of I2. Normal
 * approximations throughout; this file knows nothing about the game.
 */

export interface Estimate {
  mean: number;
  /** half-width of the normal-approximation 95% interval */
  ci: number;
  n: number;
}

export function estimate(xs: readonly number[]): Estimate {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, ci: Number.NaN, n: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = n > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, ci: 1.96 * Math.sqrt(variance / n), n };
}

/** a[i] − b[i] over seeds both were played on (the arrays are aligned by seed). */
export function pairedDifference(a: readonly number[], b: readonly number[]): Estimate {
  if (a.length !== b.length)
    throw new Error(`paired samples differ in size: ${a.length} vs ${b.length}`);
  return estimate(a.map((x, i) => x - b[i]));
}

/**
 * Area under the ROC curve of `scores` for `labels` (true = positive), ties
 * counted half, with the Hanley–McNeil (1982) standard error.
 */
export function auroc(scores: readonly number[], labels: readonly boolean[]): Estimate {
  const order = scores.map((s, i) => [s, labels[i]] as const).sort((x, y) => x[0] - y[0]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    const midRank = (i + j + 1) / 2; // ranks are 1-based; tied scores share their mean rank
    for (let k = i; k < j; k++) {
      if (!order[k][1]) continue;
      rankSum += midRank;
      pos++;
    }
    i = j;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return { mean: Number.NaN, ci: Number.NaN, n: order.length };
  const a = (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const se = Math.sqrt(
    (a * (1 - a) + (pos - 1) * (q1 - a * a) + (neg - 1) * (q2 - a * a)) / (pos * neg),
  );
  return { mean: a, ci: 1.96 * se, n: order.length };
}
