/**
 * How much the audit plays: seeds, stages and search effort. The full audit is
 * what docs/audit.md reports; `quick` is the same plan at a size that runs in
 * the test suite (it can find gross failures, not small margins). Training and
 * held-out seeds never overlap: a trick is judged on seeds it was not fitted on.
 * Default seeds (training from 20000, held-out from 30000) are used by no test,
 * so the rules cannot have been tuned on them by accident.
 */
import type { Stage } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";

export interface AuditSettings {
  stages: Stage[];
  /** seeds every policy is judged on */
  heldOut: number[];
  /** seeds the cheap policies are fitted on */
  training: number[];
  /** quantiles of a feature tried as thresholds */
  quantiles: number[];
  cemIterations: number;
  cemPopulation: number;
  /** coordinate-ascent sweeps of the constant-explanation search */
  explanationRounds: number;
  /** training seeds the constant-explanation search plays each candidate on */
  explanationSeeds: number[];
  /**
   * held-out seeds the two constant explanations are judged on (I6). The mean is
   * over the strategies the random Red attacked with, so it needs enough episodes
   * that each strategy appears several times: at least 30 (cheap: one flagging
   * Blue), the held-out seeds and those after them.
   */
  explanationHeldOut: number[];
  /** seeds the black-box search's draws */
  searchSeed: string;
  /**
   * training episodes of the surface-only learner (src/audit/surface-learner.ts),
   * on the learner's own training seeds (from 10^9, never held out)
   */
  learnerEpisodes: number;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

export const HELD_OUT_FROM = 30000;
/** I6's judging needs every strategy several times (see `explanationHeldOut`). */
export const EXPLANATION_HELD_OUT = 30;

/** `seeds`, continued past its last one (skipping `avoid`) until it holds `n`. */
function extend(seeds: readonly number[], n: number, avoid: readonly number[]): number[] {
  const out = [...seeds];
  for (let s = Math.max(...seeds) + 1; out.length < n; s++) if (!avoid.includes(s)) out.push(s);
  return out;
}
export const TRAINING_FROM = 20000;

export interface SettingsInput {
  quick?: boolean;
  stages?: Stage[];
  /** held-out episodes per cell (ignored when `seeds` is given) */
  episodes?: number;
  seeds?: number[];
  trainSeeds?: number[];
}

export function auditSettings(input: SettingsInput = {}): AuditSettings {
  const quick = input.quick ?? false;
  const heldOut = input.seeds ?? range(HELD_OUT_FROM, input.episodes ?? (quick ? 6 : 60));
  const training = input.trainSeeds ?? range(TRAINING_FROM, quick ? 4 : 12);
  const shared = heldOut.filter((s) => training.includes(s));
  if (shared.length > 0)
    throw new SeigeError(
      "validation_error",
      `training and held-out seeds overlap (${shared.slice(0, 5).join(", ")}…); a trick must be judged on seeds it was not fitted on`,
    );
  if (heldOut.length < 2 || training.length < 1)
    throw new SeigeError(
      "validation_error",
      "the audit needs at least 2 held-out seeds and 1 training seed",
    );
  return {
    stages: input.stages ?? [1, 2, 3],
    heldOut,
    training,
    quantiles: quick ? [0.75, 0.9] : [0.5, 0.75, 0.9, 0.97],
    cemIterations: quick ? 2 : 5,
    cemPopulation: quick ? 5 : 10,
    explanationRounds: quick ? 1 : 2,
    // Each candidate costs an episode per seed, and there are ~40 a sweep.
    explanationSeeds: training.slice(0, quick ? 2 : 8),
    explanationHeldOut: extend(heldOut, EXPLANATION_HELD_OUT, training),
    searchSeed: "audit",
    learnerEpisodes: quick ? 48 : 960,
  };
}
