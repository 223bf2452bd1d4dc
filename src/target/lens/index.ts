/**
 * src/target/lens: the `TargetSystem` over a real checkpoint through the lens
 * runtime and the model's direction artifact. `LensTarget` is the backend;
 * `loadLensTarget` builds it from a model directory and an artifact file (the
 * path `createTarget` takes for SEIGE_TARGET_BACKEND=lens); the rest is
 * exported for tests and benchmarks.
 */
export {
  type ModelShape,
  resolveInterventions,
  validateTargetInterventions,
} from "./interventions.js";
export { LensTarget, type LensTargetOptions } from "./lens-target.js";
export {
  DEFAULT_DIRECTIONS_FILE,
  type LoadLensTargetOptions,
  lensTargetFromEnv,
  loadLensTarget,
} from "./load.js";
export { loadOrganismTarget, ORGANISM_MODEL_ID, organismDir } from "./organism.js";
export { chatTokens, normaliseRoles, requestTokens } from "./prompt.js";
export {
  type LensSuffixResult,
  type LensSuffixSearch,
  prefixLogProb,
  searchSuffix,
  suffixVocabulary,
  withSuffix,
} from "./suffix.js";
