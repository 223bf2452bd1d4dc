/**
 * Rollouts and evaluation: rollout files (one JSON line per episode, schema.ts),
 * the runner behind `seige rollout`, and cross-play behind `seige eval`.
 * See docs/rollouts.md.
 */
export {
  type CrossPlayCell,
  type CrossPlayOptions,
  type CrossPlayReport,
  crossPlay,
  type Interval,
  wilson95,
} from "./crossplay.js";
export { runPool } from "./pool.js";
export { formatCrossPlay, renderCrossPlayHtml } from "./report.js";
export {
  briefObservation,
  makePolicy,
  memberSeed,
  type RolloutOptions,
  rolloutEpisode,
  runRollouts,
} from "./run.js";
export {
  type ObservationBrief,
  PolicyStatsSchema,
  parseRollouts,
  ROLLOUT_VERSION,
  type RolloutLine,
  RolloutLineSchema,
  type RolloutStep,
  RolloutStepSchema,
  rolloutJsonSchema,
} from "./schema.js";
export { parseSeeds } from "./seeds.js";
