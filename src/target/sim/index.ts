/**
 * src/target/sim: the deterministic simulator behind `TargetSystem` (rules in
 * docs/sim.md). `SimTarget` is the backend; `simDecision` / `SimTarget.decide`
 * give leak probabilities directly, for calibration; the rest is exported for
 * tests and for research on the sim itself.
 */
import { type SimGeometry, simGeometry } from "./geometry.js";

export {
  CALIBRATION_GUARDED,
  type CalibrationRow,
  calibrationScenarios,
  measureCalibration,
  measureScenario,
  measureSuffix,
  printCalibration,
  type Scenario,
  scenarioRequest,
} from "./calibration.js";
export {
  flipScaleOf,
  HIDDEN_DIRECTIONS,
  SIM_CONFIG,
  type SimConfig,
  typicalNormOf,
} from "./config.js";
export {
  contentKeyOf,
  evaluateRequest,
  maxSteerPerLayer,
  type SimDecision,
  type SimEvaluation,
  type SimOutcome,
  sampleOutcome,
  simDecision,
} from "./decision.js";
export { FLIP_PROMPTS, measureFlip, type SimFlipRow } from "./flip.js";
export {
  buildSimGeometry,
  SIM_DIRECTIONS,
  type SimGeometry,
  simGeometry,
} from "./geometry.js";

export {
  FEATURE_WRITES,
  FEATURES,
  type Feature,
  type Features,
  type LexicalReading,
  readRequest,
} from "./lexical.js";
export { encodeValue, LEAK_FORMS, type LeakForm } from "./render.js";
export { computeResidual, continueResidual, type ResidualTrace } from "./residual.js";
export { SimTarget, validateInterventions } from "./sim-target.js";
export { type SuffixSearchResult, searchSuffix, withSuffix } from "./suffix.js";
export { countTokens, truncateTokens } from "./tokens.js";
export { SUFFIX_TOKENS, type SuffixVocabulary } from "./vocab.js";

/** The sim model as a constant, for callers that import the sim as a whole (built here, at import). */
export const SIM_GEOMETRY: SimGeometry = simGeometry();
