/**
 * The precompute pipeline's fitting half, over activations gathered by
 * `collectSets`: per layer (a) each label's unit direction from its training
 * pairs and its separation on the held-out pairs, (b) the clean baseline and
 * typical norm from the benign bank, (c) the intent probe, trained on the
 * training split and scored on the held-out split. `fitArtifact` returns the
 * whole artifact; `evaluateKit` measures an existing kit (the sim's closed-form
 * one) on the same data with the same metrics, so both backends print comparable
 * summaries.
 *
 * It does not load models, write files or print (commands/precompute.ts does).
 */
import { INTENT_CLASSES } from "../vocab.js";
import type { ArtifactMetadata, DirectionsArtifact, SeparationRow } from "./artifact.js";
import { ARTIFACT_VERSION } from "./artifact.js";
import { layerStats } from "./baseline-stats.js";
import type { CollectedSets, ProgressFn } from "./collect-sets.js";
import { type DirectionMethod, extractDirection, separationOf } from "./extract.js";
import type { KitLayer } from "./kit.js";
import { ARTIFACT_FORMAT } from "./model-hash.js";
import { type ProbeTrainOptions, probeAccuracy, trainProbe } from "./probe-train.js";
import type { ProbeKit } from "./types.js";

function bestLayers(separations: Record<string, SeparationRow[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, rows] of Object.entries(separations)) {
    let best = rows[0];
    for (const r of rows) if (r.separation > best.separation) best = r;
    out[label] = best.layer;
  }
  return out;
}

/** The metadata both paths share; only the method and the measurements differ. */
function metadataOf(
  info: SourceInfo,
  sets: CollectedSets,
  dataVersion: string | null,
  fields: Pick<ArtifactMetadata, "labels" | "classes" | "accuracies" | "separations"> & {
    direction: ArtifactMetadata["method"]["direction"];
    probeL2: number | null;
  },
): ArtifactMetadata {
  const { modelHash, backend, modelType, nLayers, dModel, position, template, system } = info;
  return {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    modelHash,
    model: { backend, modelType, nLayers, dModel },
    layers: sets.layers,
    labels: fields.labels,
    classes: fields.classes,
    method: {
      direction: fields.direction,
      hook: "resid_post",
      position,
      template,
      system,
      probeL2: fields.probeL2,
    },
    dataVersion,
    accuracies: fields.accuracies,
    separations: fields.separations,
    bestLayers: bestLayers(fields.separations),
    counts: sets.counts,
  };
}

export interface FitOptions {
  method?: DirectionMethod;
  probe?: ProbeTrainOptions;
  onProgress?: ProgressFn;
}

/** The identity and read point recorded in the metadata. */
export interface SourceInfo {
  modelHash: string;
  backend: "lens" | "sim";
  modelType: string | null;
  nLayers: number;
  dModel: number;
  position: "last" | "mean";
  template: "chat" | "raw" | "sim";
  system: string | null;
}

/** Fits directions, baselines and probes from collected activations. */
export function fitArtifact(
  sets: CollectedSets,
  info: SourceInfo,
  dataVersion: string | null,
  opts: FitOptions = {},
): DirectionsArtifact {
  const method = opts.method ?? "mean_diff";
  const layers = new Map<number, KitLayer>();
  const separations: Record<string, SeparationRow[]> = Object.fromEntries(
    sets.labels.map((l) => [l, []]),
  );
  const accuracies: ArtifactMetadata["accuracies"] = [];
  sets.layers.forEach((layer, li) => {
    const directions: Record<string, Float32Array> = {};
    for (const label of sets.labels) {
      const p = sets.pairs[label][li];
      const dir = extractDirection(method, p.trainPos, p.trainNeg);
      directions[label] = dir.unit;
      const s = separationOf(dir.unit, p.testPos, p.testNeg);
      separations[label].push({
        layer,
        ...s,
        heldOut: sets.heldOutPairs[label],
        rawNorm: dir.rawNorm,
      });
    }
    const stats = layerStats(sets.benign[li]);
    const probe = trainProbe(
      sets.intentTrain[li],
      sets.intentTest[li],
      INTENT_CLASSES.length,
      opts.probe,
    );
    accuracies.push({ layer, train: probe.trainAccuracy, test: probe.testAccuracy });
    layers.set(layer, {
      directions,
      typicalNorm: stats.typicalNorm,
      mean: stats.mean,
      variance: stats.variance,
      probeWeights: probe.weights,
      probeBias: probe.bias,
    });
    opts.onProgress?.("fit", li + 1, sets.layers.length);
  });
  const metadata = metadataOf(info, sets, dataVersion, {
    labels: sets.labels,
    classes: [...INTENT_CLASSES],
    accuracies,
    separations,
    direction: method,
    probeL2: opts.probe?.l2 ?? 1e-2,
  });
  return { metadata, layers };
}

/**
 * Measures an existing kit on collected activations with the same metrics as
 * `fitArtifact` (separation of its own directions on the held-out pairs, probe
 * accuracy on both splits), and packages it as an artifact.
 */
export function evaluateKit(
  kit: ProbeKit,
  sets: CollectedSets,
  info: SourceInfo,
  dataVersion: string | null,
): DirectionsArtifact {
  const labels = [...kit.library.labels];
  const layers = new Map<number, KitLayer>();
  const separations: Record<string, SeparationRow[]> = Object.fromEntries(
    labels.map((l) => [l, []]),
  );
  const accuracies: ArtifactMetadata["accuracies"] = [];
  sets.layers.forEach((layer, li) => {
    const directions: Record<string, Float32Array> = {};
    for (const label of labels) {
      directions[label] = kit.library.direction(label, layer);
      const p = sets.pairs[label]?.[li];
      if (p)
        separations[label].push({
          layer,
          ...separationOf(directions[label], p.testPos, p.testNeg),
          heldOut: sets.heldOutPairs[label],
          rawNorm: null,
        });
    }
    const w = kit.probe.weights[layer] as Float32Array[];
    const b = kit.probe.bias[layer] as number[];
    accuracies.push({
      layer,
      train: sets.intentTrain[li].x.length ? probeAccuracy(w, b, sets.intentTrain[li]) : null,
      test: sets.intentTest[li].x.length ? probeAccuracy(w, b, sets.intentTest[li]) : null,
    });
    layers.set(layer, {
      directions,
      typicalNorm: kit.library.typicalNorm(layer),
      mean: kit.baseline.mean[layer],
      variance: kit.baseline.variance[layer],
      probeWeights: w,
      probeBias: b,
    });
  });
  for (const label of labels) if (separations[label].length === 0) delete separations[label];
  const metadata = metadataOf(info, sets, dataVersion, {
    labels,
    classes: [...kit.probe.classes],
    accuracies,
    separations,
    direction: "sim_closed_form",
    probeL2: null,
  });
  return { metadata, layers };
}
