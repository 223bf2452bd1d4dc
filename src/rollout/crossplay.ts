/**
 * Cross-play evaluation (`seige eval`): every Red policy against every Blue
 * policy on the same held-out seeds, two-player in process (both roles are
 * policies; no opponent inside the env), and per cell each role's mean return
 * with a 95% interval (normal approximation) and win rate with a 95% Wilson
 * interval (well behaved at 0% and 100%, where a normal interval collapses).
 * This is what `training/alternate.py` uses to choose checkpoints — never the
 * training loss. Formatting lives in report.ts.
 */
import type { LlmOptions } from "../agents/llm/index.js";
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { Stage } from "../arena/schema.js";
import { playEpisode, SeigeEnv } from "../env/index.js";
import { meanCi95 } from "../env/metrics.js";
import type { TargetSystem } from "../target/types.js";
import { runPool } from "./pool.js";
import { makePolicy } from "./run.js";

export interface Interval {
  mean: number;
  ci95: [number, number];
}

export interface CrossPlayCell {
  red: string;
  blue: string;
  episodes: number;
  red_return: Interval;
  blue_return: Interval;
  red_win_rate: Interval;
  blue_win_rate: Interval;
  /** episodes neither role won (truncated or budgets exhausted) */
  draws: number;
}

export interface CrossPlayReport {
  red: string[];
  blue: string[];
  seeds: number[];
  stage: number;
  target: { backend: string; model: string };
  /** cells[i][j]: red[i] against blue[j] */
  cells: CrossPlayCell[][];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Wilson score interval for `k` successes in `n` trials, 95%. */
export function wilson95(k: number, n: number): Interval {
  if (n === 0) return { mean: 0, ci95: [0, 1] };
  const z = 1.96;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return {
    mean: round(p),
    ci95: [round(Math.max(0, centre - half)), round(Math.min(1, centre + half))],
  };
}

function meanInterval(xs: number[]): Interval {
  const s = meanCi95(xs);
  return { mean: s.mean_return, ci95: s.return_ci95 };
}

export interface CrossPlayOptions {
  red: readonly string[];
  blue: readonly string[];
  seeds: readonly number[];
  stage: Stage;
  target: TargetSystem;
  concurrency?: number;
  llm?: Partial<LlmOptions>;
  /** called after each finished cell (for progress) */
  onCell?: (cell: CrossPlayCell) => void;
}

export async function crossPlay(o: CrossPlayOptions): Promise<CrossPlayReport> {
  // Fail on a bad spec before any episode runs.
  for (const r of o.red) makePolicy("red", r, o.llm);
  for (const b of o.blue) makePolicy("blue", b, o.llm);
  const cells: CrossPlayCell[][] = [];
  for (const red of o.red) {
    const row: CrossPlayCell[] = [];
    for (const blue of o.blue) {
      const outcomes = await runPool(
        o.seeds,
        o.concurrency ?? 1,
        () => ({
          env: new SeigeEnv(o.target),
          red: makePolicy("red", red, o.llm) as RedPolicy,
          blue: makePolicy("blue", blue, o.llm) as BluePolicy,
        }),
        (w, seed) => playEpisode(w.env, w.red, w.blue, { seed, stage: o.stage }),
      );
      const n = outcomes.length;
      const redWins = outcomes.filter((x) => x.summary.winner === "red").length;
      const blueWins = outcomes.filter((x) => x.summary.winner === "blue").length;
      const cell: CrossPlayCell = {
        red,
        blue,
        episodes: n,
        red_return: meanInterval(outcomes.map((x) => x.returns.red)),
        blue_return: meanInterval(outcomes.map((x) => x.returns.blue)),
        red_win_rate: wilson95(redWins, n),
        blue_win_rate: wilson95(blueWins, n),
        draws: n - redWins - blueWins,
      };
      o.onCell?.(cell);
      row.push(cell);
    }
    cells.push(row);
  }
  return {
    red: [...o.red],
    blue: [...o.blue],
    seeds: [...o.seeds],
    stage: o.stage,
    target: { backend: o.target.info.backend, model: o.target.info.modelId },
    cells,
  };
}
