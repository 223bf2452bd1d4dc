/**
 * The search for the best constant explanation (GAME.md I6). A Blue flags every
 * pending request with one constant explanation; after each episode the
 * summary's latest explanation score of each Red session is credited to the
 * strategy of the attack the summary says it was scored against
 * (`explanation_targets`), whatever the session did afterwards: crediting the
 * session's last request instead gave a score to a strategy it was never
 * measured on. A session whose explanation had no attack to be scored against
 * (score 0 by rule) is about no strategy and is not credited. Two objectives, one per clause of
 * I6: the mean over strategies of the per-strategy mean score (< 0.3 required),
 * and the second-highest per-strategy score (no constant may reach 0.5 on more
 * than one strategy). The space (src/audit/constant-explanation.ts) is walked by
 * coordinate ascent, field by field, from the v1 trick's explanation: the score
 * is close to a sum over fields, so this finds what a full grid would at a
 * fraction of the episodes. Scores come only from summaries, never from the
 * game's scoring code.
 */
import type { RedPolicy } from "../agents/types.js";
import type { BlueView, EpisodeSummary, RedStrategy, Stage } from "../arena/schema.js";
import { DetectorBlue } from "./blue-zoo.js";
import {
  type ConstantExplanation,
  describeExplanation,
  EXPLANATION_SPACE,
  START_EXPLANATION,
} from "./constant-explanation.js";
import type { Runner } from "./runner.js";
import { type Estimate, estimate } from "./stats.js";

export type StrategyScores = Map<RedStrategy, number[]>;

const everyPending = (view: BlueView) => [...new Set(view.pending.map((p) => p.session_id))];

/** Per-strategy explanation scores of `c` over `seeds` (flag-all with `c`). */
export async function scoreConstant(
  runner: Runner,
  c: ConstantExplanation,
  red: RedPolicy,
  stage: Stage,
  seeds: readonly number[],
): Promise<StrategyScores> {
  const blue = new DetectorBlue("constant-explanation", everyPending, "flag", c);
  const { summaries } = await runner.play(red, blue, stage, seeds, "blue");
  return creditByStrategy(summaries);
}

/** Each Red session's explanation score, grouped by the strategy it was scored against. */
export function creditByStrategy(
  summaries: readonly Pick<
    EpisodeSummary,
    "red_sessions" | "explanation_scores" | "explanation_targets"
  >[],
): StrategyScores {
  const scores: StrategyScores = new Map();
  for (const s of summaries) {
    for (const session of s.red_sessions) {
      const score = s.explanation_scores[session];
      const target = s.explanation_targets[session];
      if (score === undefined || !target) continue;
      scores.set(target.strategy, [...(scores.get(target.strategy) ?? []), score]);
    }
  }
  return scores;
}

/** Mean over strategies of the per-strategy mean, with the interval of that average. */
export function meanOverStrategies(scores: StrategyScores): Estimate {
  const per = [...scores.values()].map(estimate);
  if (per.length === 0) return { mean: 0, ci: 0, n: 0 };
  const k = per.length;
  return {
    mean: per.reduce((s, e) => s + e.mean, 0) / k,
    ci: Math.sqrt(per.reduce((s, e) => s + e.ci ** 2, 0)) / k,
    n: per.reduce((s, e) => s + e.n, 0),
  };
}

/** The second-best strategy's mean score (I6: only one strategy may reach 0.5), and which. */
export function secondBest(scores: StrategyScores): {
  strategy: RedStrategy | null;
  score: Estimate;
} {
  const ranked = [...scores]
    .map(([strategy, xs]) => ({ strategy, score: estimate(xs) }))
    .sort((a, b) => b.score.mean - a.score.mean);
  return ranked[1] ?? { strategy: null, score: { mean: 0, ci: 0, n: 0 } };
}

export interface ExplanationSearch {
  /** the constant with the best mean over strategies on the training seeds */
  bestMean: ConstantExplanation;
  /** the constant with the best second-strategy score on the training seeds */
  bestSecond: ConstantExplanation;
  evaluated: number;
}

export async function searchConstantExplanation(
  runner: Runner,
  makeRed: () => RedPolicy,
  stage: Stage,
  seeds: readonly number[],
  rounds: number,
): Promise<ExplanationSearch> {
  const cache = new Map<string, StrategyScores>();
  const scores = async (c: ConstantExplanation) => {
    const key = describeExplanation(c);
    const cached = cache.get(key);
    if (cached) return cached;
    const s = await scoreConstant(runner, c, makeRed(), stage, seeds);
    cache.set(key, s);
    return s;
  };
  const ascend = async (objective: (s: StrategyScores) => number) => {
    let best = { ...START_EXPLANATION };
    let bestValue = objective(await scores(best));
    for (let r = 0; r < rounds; r++) {
      for (const field of Object.keys(EXPLANATION_SPACE) as (keyof ConstantExplanation)[]) {
        for (const value of EXPLANATION_SPACE[field]) {
          const c = { ...best, [field]: value } as ConstantExplanation;
          const v = objective(await scores(c));
          if (v > bestValue) [best, bestValue] = [c, v];
        }
      }
    }
    return best;
  };
  const bestMean = await ascend((s) => meanOverStrategies(s).mean);
  const bestSecond = await ascend((s) => secondBest(s).score.mean);
  return { bestMean, bestSecond, evaluated: cache.size };
}
