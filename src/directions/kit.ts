/**
 * `ProbeKit` (types.ts) over per-layer arrays: what an artifact's tensors become
 * once read, and what `precompute` builds before writing. An artifact may cover
 * only some layers (`seige precompute --layers`); the kit still spans every layer
 * of the model (summaries check `layer < nLayers`), and touching a layer that was
 * not computed throws a `config_error` that says how to fix it, rather than
 * handing out zeros that would look like real statistics.
 * It holds data only; `summary.ts` does the maths.
 */

import { SeigeError } from "../util/errors.js";
import type { IntentClass } from "../vocab.js";
import type { ProbeKit } from "./types.js";

/** Everything an artifact stores for one computed layer. */
export interface KitLayer {
  /** label → unit vector [d] */
  directions: Record<string, Float32Array>;
  typicalNorm: number;
  mean: Float32Array;
  variance: Float32Array;
  /** [class] → [d] */
  probeWeights: Float32Array[];
  /** [class] */
  probeBias: number[];
}

export interface KitParts {
  nLayers: number;
  dModel: number;
  labels: readonly string[];
  classes: readonly IntentClass[];
  /** model layer → its data; layers absent here throw on access */
  layers: ReadonlyMap<number, KitLayer>;
  /** model layer → calibrated unit (calibrate.ts), where measured */
  flipScales?: ReadonlyMap<number, number>;
  /** label → model layer → learned steering unit vector (learned-steering.ts), where learned */
  learned?: ReadonlyMap<string, ReadonlyMap<number, Float32Array>>;
}

/** What a kit with no layers (a target loaded without an artifact) answers to any use. */
export function noArtifactError(): SeigeError {
  return new SeigeError(
    "config_error",
    "no direction artifact was loaded (the target generates only); steering, patches and probes need one: run `seige precompute --model DIR` and load the target with it",
  );
}

function missing(layer: number, present: readonly number[]): never {
  if (present.length === 0) throw noArtifactError();
  throw new SeigeError(
    "config_error",
    `layer ${layer} is not in the direction artifact (it has layers ${present.join(", ")}); rerun \`seige precompute\` with --layers including ${layer}, or leave --layers out for all`,
  );
}

/** An array of length nLayers whose absent entries throw on read. */
function layerArray<T>(parts: KitParts, pick: (l: KitLayer) => T): T[] {
  const present = [...parts.layers.keys()].sort((a, b) => a - b);
  const arr = new Array<T>(parts.nLayers);
  for (let l = 0; l < parts.nLayers; l++) {
    const entry = parts.layers.get(l);
    if (entry) arr[l] = pick(entry);
    else Object.defineProperty(arr, l, { get: () => missing(l, present), enumerable: true });
  }
  return arr;
}

export function buildKit(parts: KitParts): ProbeKit {
  const { nLayers, dModel, labels, classes } = parts;
  const present = [...parts.layers.keys()].sort((a, b) => a - b);
  const layer = (l: number): KitLayer => {
    if (!Number.isInteger(l) || l < 0 || l >= nLayers)
      throw new SeigeError("config_error", `layer ${l} is outside [0, ${nLayers})`);
    return parts.layers.get(l) ?? missing(l, present);
  };
  return {
    library: {
      labels,
      nLayers,
      dModel,
      direction(label: string, l: number): Float32Array {
        const v = layer(l).directions[label];
        if (v === undefined)
          throw new SeigeError(
            "config_error",
            `the direction artifact has no direction "${label}"; labels: ${labels.join(", ")}`,
          );
        return v;
      },
      typicalNorm: (l: number) => layer(l).typicalNorm,
      flipScale: (l: number) => parts.flipScales?.get(l),
      learned: (label: string, l: number) => parts.learned?.get(label)?.get(l),
    },
    baseline: {
      nLayers,
      dModel,
      mean: layerArray(parts, (e) => e.mean),
      variance: layerArray(parts, (e) => e.variance),
    },
    probe: {
      classes,
      nLayers,
      dModel,
      weights: layerArray(parts, (e) => e.probeWeights),
      bias: layerArray(parts, (e) => e.probeBias),
    },
  };
}
