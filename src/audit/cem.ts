/**
 * The cross-entropy method (Rubinstein 1999; as used for policy search by Szita &
 * Lőrincz 2006): sample a population of parameter vectors from a diagonal
 * Gaussian, score each, refit the Gaussian to the best fraction (the elites),
 * repeat. It needs nothing from the objective but a number, which is what a
 * black-box exploit search over the game can have. Each population also holds
 * the current mean, so the best vector found is never lost to sampling noise.
 *
 * Deterministic: every draw comes from an `Rng` built from `seed`. The objective
 * is expected to use the same training seeds for every candidate (common random
 * numbers), so that candidates are compared on the same episodes. This file does
 * not know what the parameters mean; src/audit/surface-policy.ts does.
 */
import { Rng } from "../util/rng.js";

export interface CemOptions {
  initMean: readonly number[];
  initStd: readonly number[];
  iterations: number;
  /** candidates per iteration, the mean included */
  population: number;
  /** share of the population refitted to (default 0.25, at least 2 vectors) */
  eliteFraction?: number;
  /** floor on every coordinate's std, so the search does not collapse early (default 0.05) */
  minStd?: number;
  seed: number | string;
}

export interface CemIteration {
  iteration: number;
  /** best objective among this iteration's candidates */
  best: number;
  /** mean objective of the elites */
  eliteMean: number;
}

export interface CemResult {
  best: number[];
  bestScore: number;
  history: CemIteration[];
}

export async function crossEntropy(
  objective: (params: number[]) => number | Promise<number>,
  options: CemOptions,
): Promise<CemResult> {
  const rng = new Rng(`cem/${options.seed}`);
  const dim = options.initMean.length;
  if (options.initStd.length !== dim) throw new Error("initMean and initStd differ in length");
  const minStd = options.minStd ?? 0.05;
  const nElite = Math.max(2, Math.round((options.eliteFraction ?? 0.25) * options.population));
  let mean = [...options.initMean];
  let std = [...options.initStd];
  let best = [...mean];
  let bestScore = -Infinity;
  const history: CemIteration[] = [];
  for (let it = 0; it < options.iterations; it++) {
    const candidates = [mean];
    while (candidates.length < options.population)
      candidates.push(mean.map((m, d) => m + std[d] * rng.normal()));
    const scored: { x: number[]; score: number }[] = [];
    for (const x of candidates) scored.push({ x, score: await objective(x) });
    // Stable order on ties (earlier candidate first) keeps runs reproducible.
    const ranked = scored
      .map((c, i) => ({ ...c, i }))
      .sort((a, b) => b.score - a.score || a.i - b.i);
    const elites = ranked.slice(0, nElite);
    if (ranked[0].score > bestScore) [best, bestScore] = [ranked[0].x, ranked[0].score];
    mean = mean.map((_, d) => elites.reduce((s, e) => s + e.x[d], 0) / nElite);
    std = mean.map((m, d) =>
      Math.max(minStd, Math.sqrt(elites.reduce((s, e) => s + (e.x[d] - m) ** 2, 0) / nElite)),
    );
    history.push({
      iteration: it,
      best: ranked[0].score,
      eliteMean: elites.reduce((s, e) => s + e.score, 0) / nElite,
    });
  }
  return { best, bestScore, history };
}
