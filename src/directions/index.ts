/**
 * src/directions: direction libraries, clean baselines and intent probes (as
 * plain data), the one function that turns a residual vector into the probe
 * summary Blue sees, and the pipeline that computes them for a real model from
 * the versioned prompt data (data/prompts/v1) into one safetensors artifact
 * (docs/directions.md). The sim builds its own kit in src/target/sim.
 */
export {
  ARTIFACT_VERSION,
  type ArtifactMetadata,
  ArtifactMetadataSchema,
  artifactKit,
  checkArtifactModel,
  type DirectionsArtifact,
  type LearnedEntry,
  type LearnedVectors,
  type LoadedArtifact,
  readArtifact,
  readArtifactFile,
  type SeparationRow,
  writeArtifact,
} from "./artifact.js";
export {
  type LayerStats,
  layerStats,
  VARIANCE_FLOOR_ABS,
  VARIANCE_FLOOR_REL,
} from "./baseline-stats.js";
export {
  type CalibrateOptions,
  calibrateFlip,
  FLIP_GRID,
  type FlipRow,
  isRefusal,
} from "./calibrate.js";
export {
  type ActivationSource,
  type LensSourceOptions,
  lensSource,
  promptTokens,
  type ReadPosition,
} from "./collect.js";
export {
  type CollectedSets,
  collectSets,
  type ProgressFn,
  resolveLayers,
} from "./collect-sets.js";
export {
  type BankEntry,
  type ContrastivePair,
  defaultPromptDir,
  type IntentExample,
  loadPromptData,
  type Manifest,
  type PromptData,
} from "./data.js";
export {
  DIRECTION_METHODS,
  type DirectionMethod,
  diffOfMeans,
  type ExtractedDirection,
  extractDirection,
  meanDifference,
  pcaOfDiffs,
  type Separation,
  separationOf,
} from "./extract.js";
export { buildKit, type KitLayer, type KitParts } from "./kit.js";
export {
  type LearnedSteeringRow,
  type LearnSteeringSetOptions,
  learnSteeringSet,
  meanLogProb,
  type SteeringObjective,
  steeringUnit,
} from "./learned-steering.js";
export { ARTIFACT_FORMAT, modelHash } from "./model-hash.js";
export { evaluateKit, type FitOptions, fitArtifact, type SourceInfo } from "./precompute.js";
export {
  type LabelledSet,
  type ProbeTrainOptions,
  probeAccuracy,
  type TrainedProbe,
  trainProbe,
} from "./probe-train.js";
export { anomalyZ, round4, softmax, summarizeActivation } from "./summary.js";
export type { Baseline, DirectionLibrary, IntentProbe, ProbeKit } from "./types.js";
