/**
 * src/target: the `TargetSystem` seam and its backends. `createTarget` picks
 * the backend from options or `SEIGE_TARGET_BACKEND` (default `sim`): `sim`
 * (the deterministic simulator) or `lens` (a real checkpoint from
 * `SEIGE_TARGET_MODEL` with its direction artifact from `SEIGE_DIRECTIONS`,
 * default `directions.safetensors` in the model directory), `organism` (the lens
 * target on the model organism shipped in models/organism/). `openai` is the
 * black-box backend: any OpenAI-compatible endpoint from `SEIGE_TARGET_URL`,
 * `SEIGE_TARGET_MODEL` and `SEIGE_TARGET_API_KEY` (no activations). It is
 * async because loading a real model is.
 */
import { SeigeError } from "../util/errors.js";
import { lensTargetFromEnv } from "./lens/load.js";
import { loadOrganismTarget } from "./lens/organism.js";
import { openAITargetFromEnv } from "./openai/from-env.js";
import { SimTarget } from "./sim/sim-target.js";
import type { TargetSystem } from "./types.js";

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

export const TARGET_BACKENDS = ["sim", "lens", "organism", "openai"] as const;

export interface CreateTargetOptions {
  /** overrides SEIGE_TARGET_BACKEND */
  backend?: string;
  env?: NodeJS.ProcessEnv;
}

export async function createTarget(options: CreateTargetOptions = {}): Promise<TargetSystem> {
  const env = options.env ?? process.env;
  const backend = (options.backend ?? env.SEIGE_TARGET_BACKEND ?? "sim").trim() || "sim";
  switch (backend) {
    case "sim":
      return new SimTarget();
    case "lens":
      return lensTargetFromEnv(env);
    case "organism":
      return loadOrganismTarget();
    case "openai":
      return openAITargetFromEnv(env);
    default:
      throw new SeigeError(
        "config_error",
        `unknown target backend "${backend}"; SEIGE_TARGET_BACKEND must be one of ${TARGET_BACKENDS.join(", ")}`,
      );
  }
}
