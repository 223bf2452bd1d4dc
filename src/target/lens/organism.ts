/**
 * The `organism` backend: the lens target on the model organism shipped in the
 * repository (`models/organism/`, trained by `training/organism/`), with the
 * direction artifact shipped beside it. It is `SEIGE_TARGET_BACKEND=lens` with
 * the model directory fixed, so a researcher gets a real trained model (refusal,
 * a copy path to the protected value) with no download and no precompute.
 *
 * The directory is found relative to this module, which sits three levels below
 * the package root both as source (src/target/lens) and built (dist/target/lens).
 * It does not train, evaluate or describe the organism (docs/organism.md does).
 */
import { fileURLToPath } from "node:url";
import { ORGANISM_MODEL_ID } from "../organism-id.js";
import type { LensTarget } from "./lens-target.js";
import { type LoadLensTargetOptions, loadLensTarget } from "./load.js";

export { ORGANISM_MODEL_ID };

/** The shipped organism's checkpoint directory. */
export function organismDir(): string {
  return fileURLToPath(new URL("../../../models/organism/", import.meta.url));
}

/** The lens target on the shipped organism and its shipped direction artifact. */
export async function loadOrganismTarget(
  options: Omit<LoadLensTargetOptions, "modelDir" | "directionsPath"> = {},
): Promise<LensTarget> {
  return loadLensTarget({ modelId: ORGANISM_MODEL_ID, ...options, modelDir: organismDir() });
}
