/**
 * src/target: the `TargetSystem` seam and its backends. `createTarget` picks
 * the backend from options or `SEIGE_TARGET_BACKEND` (default `sim`): `sim`
 * (the deterministic simulator) or `lens` (a real checkpoint from
 * `SEIGE_TARGET_MODEL` with its direction artifact from `SEIGE_DIRECTIONS`,
 * default `directions.safetensors` in the model directory), `organism` (the lens
 * target on the model organism shipped in models/organism/). `openai` is the
 * black-box backend: any OpenAI-compatible endpoint from `SEIGE_TARGET_URL`,
 * `SEIGE_TARGET_MODEL` and `SEIGE_TARGET_API_KEY` (no activations). It is
 * async because loading a real model is. `createTarget` (create.ts) imports a
 * backend only when it is chosen; this index re-exports every backend.
 */
export { type CreateTargetOptions, createTarget, TARGET_BACKENDS } from "./create.js";
export {
  DEFAULT_DIRECTIONS_FILE,
  LensTarget,
  type LensTargetOptions,
  type LoadLensTargetOptions,
  lensTargetFromEnv,
  loadLensTarget,
  loadOrganismTarget,
  ORGANISM_MODEL_ID,
  organismDir,
} from "./lens/index.js";
export { OpenAITarget, type OpenAITargetOptions, openAITargetFromEnv } from "./openai/index.js";
export { isRefusal, REFUSAL_TEXTS, refusalText } from "./refusals.js";
export { SIM_GEOMETRY, SimTarget, simDecision } from "./sim/index.js";
export type {
  ChatMessage,
  SuffixSearchOptions,
  TargetInfo,
  TargetIntervention,
  TargetOutput,
  TargetRequest,
  TargetSystem,
} from "./types.js";
