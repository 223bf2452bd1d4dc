/**
 * `createTarget`: picks the backend from options or `SEIGE_TARGET_BACKEND`
 * (default `sim`) and builds it. Only the sim is imported up front: the lens
 * and organism backends (the lens runtime, onnxruntime-node, tokenizers) and
 * the openai backend are imported when chosen, so `seige serve` on the sim
 * starts without loading a model runtime it will never use (issue 16). It does
 * not configure a backend beyond reading the environment each backend reads.
 */
import { SeigeError } from "../util/errors.js";
import { ORGANISM_MODEL_ID } from "./organism-id.js";
import { SimTarget } from "./sim/sim-target.js";
import type { TargetSystem } from "./types.js";

export const TARGET_BACKENDS = ["sim", "lens", "organism", "openai"] as const;

export interface CreateTargetOptions {
  /** overrides SEIGE_TARGET_BACKEND */
  backend?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The backend that replays a recording made on `recorded` (its reset line's target) when
 * it needs no configuration: the sim, or the organism. A lens model elsewhere needs
 * SEIGE_TARGET_MODEL, and openai its endpoint, so those are not guessed.
 */
export function backendOfRecording(recorded: {
  backend: string;
  model: string;
}): string | undefined {
  if (recorded.backend === "sim") return "sim";
  if (recorded.backend === "lens" && recorded.model === ORGANISM_MODEL_ID) return "organism";
  return undefined;
}

export async function createTarget(options: CreateTargetOptions = {}): Promise<TargetSystem> {
  const env = options.env ?? process.env;
  const backend = (options.backend ?? env.SEIGE_TARGET_BACKEND ?? "sim").trim() || "sim";
  switch (backend) {
    case "sim":
      return new SimTarget();
    case "lens":
      return (await import("./lens/load.js")).lensTargetFromEnv(env);
    case "organism":
      return (await import("./lens/organism.js")).loadOrganismTarget();
    case "openai":
      return (await import("./openai/from-env.js")).openAITargetFromEnv(env);
    default:
      throw new SeigeError(
        "config_error",
        `unknown target backend "${backend}"; --target or SEIGE_TARGET_BACKEND must be one of ${TARGET_BACKENDS.join(", ")}`,
      );
  }
}
