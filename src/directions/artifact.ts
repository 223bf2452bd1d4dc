/**
 * The direction artifact: one `.safetensors` file per model (docs/directions.md).
 * Tensors (f32; rows follow `metadata.layers`, the layers computed):
 *   directions.<label>  [nRows, d]     unit vectors, one per computed layer
 *   typical_norm        [nRows]        mean ‖resid_post‖ of the benign bank
 *   baseline.mean       [nRows, d]
 *   baseline.variance   [nRows, d]     floored, every entry > 0
 *   probe.weights       [nRows, C, d]  over raw x
 *   probe.bias          [nRows, C]
 *   learned.<label>     [nLearned, d]  optional: learned steering unit vectors, one per
 *                                      row of the label's `metadata.learned` entry
 * Metadata: safetensors `__metadata__` is a string → string map, so it holds
 * `format: "seige-directions"` and `seige: <the JSON below>`, validated with zod on
 * read (model hash, layers, method, data version, accuracies, separations).
 *
 * Reading returns a `ProbeKit` plus the metadata; `checkArtifactModel` compares
 * the recorded hash with a model directory. It does not compute anything.
 */
import { z } from "zod";
import { type NamedTensor, SafetensorsFile, writeSafetensors } from "../lens/safetensors.js";
import { SeigeError } from "../util/errors.js";
import { INTENT_CLASSES } from "../vocab.js";
import { buildKit, type KitLayer } from "./kit.js";
import { ARTIFACT_FORMAT, modelHash } from "./model-hash.js";
import type { ProbeKit } from "./types.js";

export const ARTIFACT_VERSION = 1;

const SeparationRowSchema = z.object({
  layer: z.number().int().nonnegative(),
  separation: z.number(),
  pairAccuracy: z.number().min(0).max(1),
  /** pairs measured */
  n: z.number().int().nonnegative(),
  /** false when there were no held-out pairs and training pairs were used */
  heldOut: z.boolean(),
  /** ‖mean(h⁺ − h⁻)‖ at this layer; null where not measured (the sim) */
  rawNorm: z.number().nullable(),
});

const FlipRowSchema = z.object({
  layer: z.number().int().nonnegative(),
  flipScale: z.number().positive(),
  fraction: z.number().positive(),
  flipped: z.boolean(),
  base: z.number().min(0).max(1),
  rates: z.array(z.number().min(0).max(1)),
  n: z.number().int().nonnegative(),
});

const LearnedRowSchema = z.object({
  layer: z.number().int().nonnegative(),
  norm: z.number().positive(),
  train: z.object({ start: z.number(), end: z.number() }),
  heldOut: z.object({ base: z.number(), meanDiff: z.number(), learned: z.number() }),
  cosine: z.number(),
});

/** One label's learned steering (learned-steering.ts): how it was learned and what it buys. */
const LearnedEntrySchema = z.object({
  label: z.string().min(1),
  objective: z.string().min(1),
  completions: z.string(),
  magnitude: z.number().positive(),
  steps: z.number().int().positive(),
  lr: z.number().positive(),
  train: z.number().int().positive(),
  test: z.number().int().positive(),
  rows: z.array(LearnedRowSchema).min(1),
});

export const ArtifactMetadataSchema = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  version: z.literal(ARTIFACT_VERSION),
  /** `sha256:…` of the checkpoint (model-hash.ts) or `sim:…` for the sim */
  modelHash: z.string().min(1),
  model: z.object({
    backend: z.enum(["lens", "sim"]),
    modelType: z.string().nullable(),
    nLayers: z.number().int().positive(),
    dModel: z.number().int().positive(),
  }),
  /** the computed layers, ascending: the tensors' row order */
  layers: z.array(z.number().int().nonnegative()).min(1),
  labels: z.array(z.string().min(1)).min(1),
  classes: z.array(z.enum(INTENT_CLASSES)).min(2),
  method: z.object({
    direction: z.enum(["mean_diff", "pca_diff", "sim_closed_form"]),
    hook: z.literal("resid_post"),
    position: z.enum(["last", "mean"]),
    template: z.enum(["chat", "raw", "sim"]),
    system: z.string().nullable(),
    probeL2: z.number().nullable(),
  }),
  /** prompt-data version (manifest `version`); null if no data was read */
  dataVersion: z.string().nullable(),
  /** per computed layer: intent-probe accuracy (test = held-out split) */
  accuracies: z.array(
    z.object({
      layer: z.number().int().nonnegative(),
      train: z.number().min(0).max(1).nullable(),
      test: z.number().min(0).max(1).nullable(),
    }),
  ),
  /** label → per computed layer separation of its pairs along its direction */
  separations: z.record(z.string(), z.array(SeparationRowSchema)),
  /** label → layer with the largest separation */
  bestLayers: z.record(z.string(), z.number().int().nonnegative()),
  counts: z.object({
    pairs: z.record(z.string(), z.object({ train: z.number().int(), test: z.number().int() })),
    intent: z.object({ train: z.number().int(), test: z.number().int() }),
    benign: z.number().int(),
    /** how many of the `benign` bank's texts are the game's own traffic (precompute --traffic) */
    traffic: z.number().int().optional(),
  }),
  /** per layer, the refusal flip scale that defines 1 calibrated steering unit (calibrate.ts); absent = raw typical-norm units */
  calibration: z.array(FlipRowSchema).optional(),
  /** learned steering directions (`seige precompute --learn-steering`); steering along a label uses them */
  learned: z.array(LearnedEntrySchema).optional(),
});

export type ArtifactMetadata = z.infer<typeof ArtifactMetadataSchema>;
export type SeparationRow = z.infer<typeof SeparationRowSchema>;
export type LearnedEntry = z.infer<typeof LearnedEntrySchema>;

/** label → model layer → unit vector */
export type LearnedVectors = ReadonlyMap<string, ReadonlyMap<number, Float32Array>>;

export interface DirectionsArtifact {
  metadata: ArtifactMetadata;
  /** model layer → its tensors, for exactly `metadata.layers` */
  layers: ReadonlyMap<number, KitLayer>;
  /** learned steering vectors, for exactly `metadata.learned`'s rows */
  learned?: LearnedVectors;
}

export interface LoadedArtifact {
  kit: ProbeKit;
  metadata: ArtifactMetadata;
  path: string;
}

function fail(message: string): never {
  throw new SeigeError("config_error", message);
}

function rows(artifact: DirectionsArtifact): KitLayer[] {
  return artifact.metadata.layers.map((l) => {
    const e = artifact.layers.get(l);
    if (!e)
      throw new SeigeError(
        "validation_error",
        `artifact metadata lists layer ${l} but has no data for it`,
      );
    return e;
  });
}

function concat(parts: readonly ArrayLike<number>[]): Float32Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Writes the artifact as one f32 safetensors file. */
export function writeArtifact(path: string, artifact: DirectionsArtifact): void {
  const meta = ArtifactMetadataSchema.parse(artifact.metadata);
  const rs = rows(artifact);
  const d = meta.model.dModel;
  const C = meta.classes.length;
  const R = rs.length;
  const tensors: NamedTensor[] = meta.labels.map((label) => ({
    name: `directions.${label}`,
    shape: [R, d],
    data: concat(rs.map((r) => r.directions[label])),
  }));
  tensors.push(
    { name: "typical_norm", shape: [R], data: Float32Array.from(rs, (r) => r.typicalNorm) },
    { name: "baseline.mean", shape: [R, d], data: concat(rs.map((r) => r.mean)) },
    { name: "baseline.variance", shape: [R, d], data: concat(rs.map((r) => r.variance)) },
    { name: "probe.weights", shape: [R, C, d], data: concat(rs.flatMap((r) => r.probeWeights)) },
    { name: "probe.bias", shape: [R, C], data: concat(rs.map((r) => r.probeBias)) },
  );
  for (const e of meta.learned ?? []) {
    const vs = e.rows.map((r) => {
      const v = artifact.learned?.get(e.label)?.get(r.layer);
      if (!v || v.length !== d)
        throw new SeigeError(
          "validation_error",
          `artifact metadata lists a learned "${e.label}" vector at layer ${r.layer} but has no ${d}-vector for it`,
        );
      return v;
    });
    tensors.push({ name: `learned.${e.label}`, shape: [vs.length, d], data: concat(vs) });
  }
  writeSafetensors(path, tensors, "f32", { format: ARTIFACT_FORMAT, seige: JSON.stringify(meta) });
}

/** Reads an artifact file; every tensor's shape is checked against the metadata. */
export function readArtifactFile(path: string): DirectionsArtifact {
  const file = SafetensorsFile.open(path);
  if (file.metadata.format !== ARTIFACT_FORMAT || typeof file.metadata.seige !== "string")
    fail(
      `${path}: not a seige direction artifact (no "seige-directions" metadata); make one with \`seige precompute\``,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(file.metadata.seige);
  } catch {
    fail(`${path}: the artifact metadata is not valid JSON`);
  }
  const parsed = ArtifactMetadataSchema.safeParse(raw);
  if (!parsed.success)
    fail(`${path}: artifact metadata does not validate: ${parsed.error.message}`);
  const meta = parsed.data;
  const d = meta.model.dModel;
  const C = meta.classes.length;
  const R = meta.layers.length;
  const read = (name: string, shape: number[]) => {
    const t = file.read(name);
    if (t.shape.join(",") !== shape.join(","))
      fail(
        `${path}: tensor "${name}" has shape [${t.shape}], expected [${shape}] from the metadata`,
      );
    return t.data;
  };
  const dirs = Object.fromEntries(meta.labels.map((l) => [l, read(`directions.${l}`, [R, d])]));
  const norms = read("typical_norm", [R]);
  const mean = read("baseline.mean", [R, d]);
  const variance = read("baseline.variance", [R, d]);
  const W = read("probe.weights", [R, C, d]);
  const b = read("probe.bias", [R, C]);
  const layers = new Map<number, KitLayer>();
  meta.layers.forEach((l, r) => {
    const row = (a: Float32Array) => a.slice(r * d, (r + 1) * d);
    layers.set(l, {
      directions: Object.fromEntries(meta.labels.map((label) => [label, row(dirs[label])])),
      typicalNorm: norms[r],
      mean: row(mean),
      variance: row(variance),
      probeWeights: Array.from({ length: C }, (_, c) =>
        W.slice((r * C + c) * d, (r * C + c + 1) * d),
      ),
      probeBias: Array.from(b.slice(r * C, (r + 1) * C)),
    });
  });
  const learned = new Map<string, Map<number, Float32Array>>();
  for (const e of meta.learned ?? []) {
    if (!meta.labels.includes(e.label) || learned.has(e.label))
      fail(`${path}: learned steering for "${e.label}" is not one unique library label`);
    const t = read(`learned.${e.label}`, [e.rows.length, d]);
    learned.set(e.label, new Map(e.rows.map((r, k) => [r.layer, t.slice(k * d, (k + 1) * d)])));
  }
  return { metadata: meta, layers, learned };
}

/** The kit an artifact describes. */
export function artifactKit(artifact: DirectionsArtifact): ProbeKit {
  const { metadata: m } = artifact;
  return buildKit({
    nLayers: m.model.nLayers,
    dModel: m.model.dModel,
    labels: m.labels,
    classes: m.classes,
    layers: artifact.layers,
    flipScales: m.calibration
      ? new Map(m.calibration.map((r) => [r.layer, r.flipScale]))
      : undefined,
    learned: artifact.learned,
  });
}

/** Reads an artifact into a `ProbeKit` and its metadata. */
export function readArtifact(path: string): LoadedArtifact {
  const artifact = readArtifactFile(path);
  return { kit: artifactKit(artifact), metadata: artifact.metadata, path };
}

/**
 * Throws a `config_error` unless the artifact was computed for the checkpoint in
 * `modelDir` (same model hash, layer count and width).
 */
export function checkArtifactModel(
  metadata: ArtifactMetadata,
  modelDir: string,
  expected?: { nLayers: number; dModel: number },
): void {
  const hash = modelHash(modelDir);
  if (metadata.modelHash !== hash)
    fail(
      `the direction artifact was computed for model ${metadata.modelHash}, but ${modelDir} is ${hash}; run \`seige precompute --model ${modelDir}\` to make one for this model`,
    );
  if (
    expected &&
    (expected.nLayers !== metadata.model.nLayers || expected.dModel !== metadata.model.dModel)
  )
    fail(
      `the direction artifact is for ${metadata.model.nLayers} layers × d ${metadata.model.dModel}, the model has ${expected.nLayers} × ${expected.dModel}; rerun \`seige precompute\``,
    );
}
