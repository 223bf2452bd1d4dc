/**
 * src/target: the `TargetSystem` seam and its backends. `createTarget` picks
 * the backend from options or `SEIGE_TARGET_BACKEND` (default `sim`). Only
 * `sim` exists so far; `lens` and `openai` answer with a clear error rather
 * than a stand-in, so nothing silently runs on the wrong model.
 */
import { SeigeError } from "../util/errors.js";
import { SimTarget } from "./sim/sim-target.js";
import type { TargetSystem } from "./types.js";

export { REFUSAL_TEXTS, refusalText } from "./refusals.js";
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

export const TARGET_BACKENDS = ["sim", "lens", "openai"] as const;

export interface CreateTargetOptions {
  /** overrides SEIGE_TARGET_BACKEND */
  backend?: string;
  env?: NodeJS.ProcessEnv;
}

export function createTarget(options: CreateTargetOptions = {}): TargetSystem {
  const env = options.env ?? process.env;
  const backend = (options.backend ?? env.SEIGE_TARGET_BACKEND ?? "sim").trim() || "sim";
  switch (backend) {
    case "sim":
      return new SimTarget();
    case "lens":
    case "openai":
      throw new SeigeError(
        "config_error",
        `the "${backend}" target backend arrives with a later issue; set SEIGE_TARGET_BACKEND=sim (the deterministic simulator) for now`,
      );
    default:
      throw new SeigeError(
        "config_error",
        `unknown target backend "${backend}"; SEIGE_TARGET_BACKEND must be one of ${TARGET_BACKENDS.join(", ")} (only sim is available now)`,
      );
  }
}
