/**
 * The curriculum helper of GAME.md §7. The arena never changes stage on its own
 * (the same seed always gives the same episode); drivers (`seige play`,
 * rollouts, trainers) record each finished episode here and ask `nextStage()`
 * which stage to reset with. Promotion from stage k happens once the last
 * `window` episodes played at stage k have a rolling mean of the stage's metric
 * at or above its threshold; the window then starts afresh at stage k+1. Stages
 * never go down.
 *
 * Pure: no I/O, no clock, no randomness; the state is the recorded results.
 */
import type { EpisodeSummary, Stage } from "./schema.js";

export interface EpisodeResult {
  stage: number;
  winner: "red" | "blue" | "none";
  returns: { red: number; blue: number };
}

export type PromotionMetric =
  | "blue_win_rate"
  | "red_win_rate"
  | "decisive_rate"
  | "blue_return"
  | "red_return";

export interface PromotionRule {
  metric: PromotionMetric;
  threshold: number;
}

export interface CurriculumOptions {
  window?: number;
  /** rule for leaving stage 1 and stage 2 (stage 3 is the last) */
  promoteAt?: Partial<Record<1 | 2, PromotionRule>>;
  /** stage to start from (default 1) */
  startStage?: Stage;
}

/**
 * Defaults: leave a stage once the episodes there end decisively (someone wins,
 * rather than running out the clock) in at least 60% of the window: both
 * roles have then learnt to play the stage's game.
 */
export const DEFAULT_PROMOTION: Record<1 | 2, PromotionRule> = {
  1: { metric: "decisive_rate", threshold: 0.6 },
  2: { metric: "decisive_rate", threshold: 0.6 },
};
export const DEFAULT_WINDOW = 50;

export function metricValue(metric: PromotionMetric, results: readonly EpisodeResult[]): number {
  if (results.length === 0) return 0;
  const mean = (f: (r: EpisodeResult) => number) =>
    results.reduce((s, r) => s + f(r), 0) / results.length;
  switch (metric) {
    case "blue_win_rate":
      return mean((r) => (r.winner === "blue" ? 1 : 0));
    case "red_win_rate":
      return mean((r) => (r.winner === "red" ? 1 : 0));
    case "decisive_rate":
      return mean((r) => (r.winner === "none" ? 0 : 1));
    case "blue_return":
      return mean((r) => r.returns.blue);
    case "red_return":
      return mean((r) => r.returns.red);
  }
}

export class Curriculum {
  readonly window: number;
  readonly promoteAt: Record<1 | 2, PromotionRule>;
  private current: Stage;
  private recent: EpisodeResult[] = [];

  constructor(options: CurriculumOptions = {}) {
    this.window = options.window ?? DEFAULT_WINDOW;
    if (!Number.isInteger(this.window) || this.window < 1)
      throw new RangeError("window must be a positive integer");
    this.promoteAt = { ...DEFAULT_PROMOTION, ...options.promoteAt };
    this.current = options.startStage ?? 1;
  }

  /** The stage the next episode should be reset with (same as `nextStage()`). */
  get stage(): Stage {
    return this.current;
  }

  /**
   * Records a finished episode (its summary or a bare result); results from
   * another stage than the current one are ignored.
   */
  record(episode: EpisodeResult | EpisodeSummary): void {
    const result = toResult(episode);
    if (result.stage !== this.current) return;
    this.recent.push(result);
    if (this.recent.length > this.window) this.recent.shift();
    if (this.current < 3 && this.recent.length === this.window) {
      const rule = this.promoteAt[this.current as 1 | 2];
      if (metricValue(rule.metric, this.recent) >= rule.threshold) {
        this.current = (this.current + 1) as Stage;
        this.recent = [];
      }
    }
  }

  /** The stage the next episode should be reset with. */
  nextStage(): Stage {
    return this.current;
  }

  /** The rolling mean of the current stage's promotion metric (0 before any episode). */
  rollingMetric(): number {
    if (this.current === 3) return 0;
    return metricValue(this.promoteAt[this.current as 1 | 2].metric, this.recent);
  }

  episodesAtStage(): number {
    return this.recent.length;
  }
}

function toResult(e: EpisodeResult | EpisodeSummary): EpisodeResult {
  if ("attacks" in e)
    return {
      stage: e.stage,
      winner: e.winner,
      returns: { red: e.returns.red.total, blue: e.returns.blue.total },
    };
  return e;
}
