/**
 * Runs every prompt of the data through an `ActivationSource` once, at the
 * chosen layers, and sorts the activations back into their sets: per label the
 * training and held-out pairs, the intent examples by split, and the benign
 * bank. What is fitted on them is precompute.ts's; this only gathers.
 */

import { SeigeError } from "../util/errors.js";
import { DIRECTION_LABELS, INTENT_CLASSES } from "../vocab.js";
import type { ArtifactMetadata } from "./artifact.js";
import type { ActivationSource } from "./collect.js";
import type { PromptData } from "./data.js";
import type { LabelledSet } from "./probe-train.js";

export type ProgressFn = (phase: string, done: number, total: number) => void;

/** Activations of every prompt set, per layer index (position in `layers`). */
export interface CollectedSets {
  layers: number[];
  labels: string[];
  /** label → [layer idx] → pairs; test falls back to train (heldOut false) when a set has no test split */
  pairs: Record<
    string,
    {
      trainPos: Float32Array[];
      trainNeg: Float32Array[];
      testPos: Float32Array[];
      testNeg: Float32Array[];
    }[]
  >;
  heldOutPairs: Record<string, boolean>;
  /** [layer idx] */
  intentTrain: LabelledSet[];
  intentTest: LabelledSet[];
  benign: Float32Array[][];
  counts: ArtifactMetadata["counts"];
}

/** Checks and normalises a layer list (sorted, unique, in range); default every layer. */
export function resolveLayers(nLayers: number, layers?: readonly number[]): number[] {
  if (!layers || layers.length === 0) return Array.from({ length: nLayers }, (_, l) => l);
  for (const l of layers)
    if (!Number.isInteger(l) || l < 0 || l >= nLayers)
      throw new SeigeError("validation_error", `layer ${l} is outside [0, ${nLayers})`);
  return [...new Set(layers)].sort((a, b) => a - b);
}

/** Runs every text of the data through the source once. */
export async function collectSets(
  source: ActivationSource,
  data: PromptData,
  layers: readonly number[],
  onProgress?: ProgressFn,
): Promise<CollectedSets> {
  const texts: string[] = [];
  // One context group per pair (both members) and per single text.
  const groups: number[] = [];
  let group = 0;
  const at = (t: string, sameGroup = false) => {
    if (!sameGroup) group++;
    groups.push(group);
    return texts.push(t) - 1;
  };
  // DIRECTION_LABELS order, whatever the manifest's: probe cosines are reported in it.
  const labels = DIRECTION_LABELS.filter((l) => l in data.contrastive) as string[];
  const pairIdx: Record<string, { train: [number, number][]; test: [number, number][] }> = {};
  const counts: ArtifactMetadata["counts"] = {
    pairs: {},
    intent: { train: 0, test: 0 },
    benign: 0,
  };
  for (const label of labels) {
    const rows = data.contrastive[label];
    const idx = { train: [] as [number, number][], test: [] as [number, number][] };
    for (const r of rows) idx[r.split].push([at(r.positive), at(r.negative, true)]);
    pairIdx[label] = idx;
    counts.pairs[label] = { train: idx.train.length, test: idx.test.length };
  }
  const intent = data.intent.map((r) => ({
    i: at(r.text),
    y: INTENT_CLASSES.indexOf(r.label),
    split: r.split,
  }));
  counts.intent = {
    train: intent.filter((r) => r.split === "train").length,
    test: intent.filter((r) => r.split === "test").length,
  };
  const benign = data.benign.map((r) => at(r.text));
  counts.benign = benign.length;

  const acts = await source.activations(
    texts,
    layers,
    (done) => onProgress?.("activations", done, texts.length),
    groups,
  );
  const pick = (li: number, ids: number[]) => ids.map((i) => acts[li][i]);
  const pairs: CollectedSets["pairs"] = {};
  const heldOutPairs: Record<string, boolean> = {};
  for (const label of labels) {
    const { train, test } = pairIdx[label];
    heldOutPairs[label] = test.length > 0;
    const evalSet = test.length > 0 ? test : train;
    pairs[label] = layers.map((_, li) => ({
      trainPos: pick(
        li,
        train.map((p) => p[0]),
      ),
      trainNeg: pick(
        li,
        train.map((p) => p[1]),
      ),
      testPos: pick(
        li,
        evalSet.map((p) => p[0]),
      ),
      testNeg: pick(
        li,
        evalSet.map((p) => p[1]),
      ),
    }));
  }
  const split = (s: "train" | "test", li: number): LabelledSet => {
    const rows = intent.filter((r) => r.split === s);
    return {
      x: pick(
        li,
        rows.map((r) => r.i),
      ),
      y: rows.map((r) => r.y),
    };
  };
  return {
    layers: [...layers],
    labels,
    pairs,
    heldOutPairs,
    intentTrain: layers.map((_, li) => split("train", li)),
    intentTest: layers.map((_, li) => split("test", li)),
    benign: layers.map((_, li) => pick(li, benign)),
    counts,
  };
}
