/**
 * Building a `LensTarget` from files: a HuggingFace checkpoint directory and its
 * direction artifact (`seige precompute`, src/directions/artifact.ts). This is
 * the path `createTarget` takes for `SEIGE_TARGET_BACKEND=lens`, reading
 * `SEIGE_TARGET_MODEL` (the model directory) and `SEIGE_DIRECTIONS` (default
 * `directions.safetensors` in that directory).
 *
 * It refuses to start, with a `config_error` that says what to run, when the
 * directory or the artifact is missing, when the artifact was computed for
 * another checkpoint (model hash, layers, width), or when it does not cover
 * every layer and every game direction label: Red may steer and Blue may probe
 * any layer along any label, so a partial artifact would fail mid-episode
 * instead of at start. The cheap checks (files,
 * hash) run before the model is compiled. `withoutDirections` skips the artifact
 * for generation alone (scoring a training checkpoint's replies before anyone
 * ran `seige precompute` on it): steering, patches and probes then throw the
 * same `config_error` that names the command.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { checkArtifactModel, readArtifact } from "../../directions/artifact.js";
import { buildKit } from "../../directions/kit.js";
import { loadModel } from "../../lens/model.js";
import type { ExecutionProvider } from "../../lens/ort.js";
import { SeigeError } from "../../util/errors.js";
import { DIRECTION_LABELS } from "../../vocab.js";
import { LensTarget, type LensTargetOptions } from "./lens-target.js";

export const DEFAULT_DIRECTIONS_FILE = "directions.safetensors";

export interface LoadLensTargetOptions extends LensTargetOptions {
  /** the HuggingFace checkpoint directory */
  modelDir: string;
  /** what named modelDir, for errors (default "SEIGE_TARGET_MODEL"; a command's flag, say) */
  modelDirSource?: string;
  /** the direction artifact (default `directions.safetensors` in modelDir) */
  directionsPath?: string;
  /** generation only: read no artifact; any intervention or probe throws a `config_error` */
  withoutDirections?: boolean;
  /** ORT intra-op threads per session */
  threads?: number;
  executionProviders?: ExecutionProvider[];
}

function fail(message: string): never {
  throw new SeigeError("config_error", message);
}

export async function loadLensTarget(options: LoadLensTargetOptions): Promise<LensTarget> {
  const dir = options.modelDir;
  const source = options.modelDirSource ?? "SEIGE_TARGET_MODEL";
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    fail(
      `the lens target's model directory ${dir} does not exist; ${source} must name a HuggingFace checkpoint directory`,
    );
  if (!existsSync(join(dir, "config.json")))
    fail(`${dir} has no config.json; ${source} must name a HuggingFace checkpoint directory`);
  const artifact = options.withoutDirections
    ? null
    : readGameArtifact(dir, options.directionsPath ?? join(dir, DEFAULT_DIRECTIONS_FILE));
  const model = await loadModel(dir, {
    threads: options.threads,
    executionProviders: options.executionProviders,
  });
  try {
    if (artifact !== null) checkArtifactModel(artifact.metadata, dir, model.config);
    // Without an artifact the library is empty: every layer "is not in the artifact".
    const { nLayers, dModel } = model.config;
    const kit =
      artifact?.kit ?? buildKit({ nLayers, dModel, labels: [], classes: [], layers: new Map() });
    return new LensTarget(model, kit, {
      ...options,
      modelId: options.modelId ?? basename(resolve(dir)),
    });
  } catch (e) {
    await model.close();
    throw e;
  }
}

/** The artifact at `path`, checked against the checkpoint's files and the game's needs. */
function readGameArtifact(dir: string, path: string): ReturnType<typeof readArtifact> {
  if (!existsSync(path))
    fail(
      `no direction artifact at ${path}; run \`seige precompute --model ${dir}\` to compute it (or set SEIGE_DIRECTIONS to its file)`,
    );
  const artifact = readArtifact(path);
  const { metadata } = artifact;
  checkArtifactModel(metadata, dir);
  const missing = Array.from({ length: metadata.model.nLayers }, (_, l) => l).filter(
    (l) => !metadata.layers.includes(l),
  );
  if (missing.length > 0)
    fail(
      `the direction artifact ${path} lacks layers ${missing.join(", ")}; the game may steer and probe any layer, so rerun \`seige precompute --model ${dir}\` without --layers`,
    );
  const absent = DIRECTION_LABELS.filter((l) => !metadata.labels.includes(l));
  if (absent.length > 0)
    fail(
      `the direction artifact ${path} lacks the directions ${absent.join(", ")} that the game steers, patches and probes along; rerun \`seige precompute --model ${dir}\` with the full prompt data`,
    );
  return artifact;
}

/** The lens target `SEIGE_TARGET_MODEL` and `SEIGE_DIRECTIONS` describe. */
export async function lensTargetFromEnv(env: NodeJS.ProcessEnv): Promise<LensTarget> {
  const modelDir = env.SEIGE_TARGET_MODEL?.trim();
  if (!modelDir)
    fail(
      "SEIGE_TARGET_BACKEND=lens needs SEIGE_TARGET_MODEL, the HuggingFace checkpoint directory to serve (and its direction artifact from `seige precompute`)",
    );
  const directionsPath = env.SEIGE_DIRECTIONS?.trim() || undefined;
  return loadLensTarget({ modelDir, directionsPath });
}
