/**
 * Learned steering directions for the artifact (issue 18): per label and layer, a
 * unit vector optimised with gradients (lens/steering.ts) so that adding it at
 * `blocks.{layer}.hook_resid_post`, at `magnitude` calibrated units, raises the
 * likelihood of target completions on the *training* prompts. It starts from the
 * label's difference-of-means direction at the same norm and only the direction
 * is optimised (the vector stays on the sphere of that norm), so Red's magnitudes
 * keep their calibrated meaning and the comparison with difference of means is at
 * equal strength.
 *
 * Each row records what the learned direction buys on *held-out* prompts: the
 * mean Σ log p(completion) with no steering, with the difference-of-means
 * direction and with the learned one, both at the same norm, and their cosine.
 * Learning costs `steps × train` forward+backward passes per layer.
 *
 * The caller builds the examples (which prompts, which completions:
 * commands/precompute-steering.ts); this file neither reads data nor writes files.
 */
import { lossValue } from "../lens/grad/loss.js";
import { residPost } from "../lens/hooks.js";
import type { LensModel } from "../lens/model.js";
import { learnSteeringVector, type SteeringExample } from "../lens/steering.js";
import { SeigeError } from "../util/errors.js";
import type { LearnedEntry } from "./artifact.js";
import type { ProbeKit } from "./types.js";

/** The residual-norm size of 1 calibrated steering unit at `layer` (GAME.md §5), else the typical norm. */
export function steeringUnit(kit: ProbeKit, layer: number): number {
  return kit.library.flipScale?.(layer) ?? kit.library.typicalNorm(layer);
}

export interface SteeringObjective {
  /** the direction label the learned vector serves (Red steers along it) */
  label: string;
  /** short name recorded in the artifact, e.g. "leak" or "comply" */
  name: string;
  /** what the completions are, in words, for the artifact */
  completions: string;
  train: readonly SteeringExample[];
  test: readonly SteeringExample[];
}

export interface LearnSteeringSetOptions {
  layers: readonly number[];
  /** steering strength in calibrated units the direction is optimised at (default 3: the steer Red's) */
  magnitude?: number;
  steps?: number; // default 20
  /** Adam step size as a fraction of the norm per √d (default 0.05: ~5 % of the norm per step) */
  lr?: number;
  onProgress?: (done: number, total: number) => void;
}

/** A row of the artifact's `learned` metadata: one layer's learned direction against difference of means. */
export type LearnedSteeringRow = LearnedEntry["rows"][number];

const BATCH = 4;

/** Mean Σ log p(completion | prompt) over `examples` with `vector` (or nothing) added at `hook`. */
export async function meanLogProb(
  model: LensModel,
  examples: readonly SteeringExample[],
  hook: string,
  vector: readonly number[] | null,
): Promise<number> {
  const ivs = vector ? [{ kind: "add" as const, hook, vector: [...vector], scale: 1 }] : [];
  const v = model.config.vocabSize;
  // Only the completion's rows are unembedded (`tails` of an empty shared prefix), and
  // examples whose completions have one length share a batched pass.
  const scorer = await model.sharedPrefix([], ivs);
  let total = 0;
  const byLength = new Map<number, SteeringExample[]>();
  for (const ex of examples) {
    const k = ex.completion.length;
    byLength.set(k, [...(byLength.get(k) ?? []), ex]);
  }
  for (const [k, group] of byLength) {
    for (let i = 0; i < group.length; i += BATCH) {
      const chunk = group.slice(i, i + BATCH);
      const logits = await scorer.tails(
        chunk.map((ex) => [...ex.prompt, ...ex.completion.slice(0, -1)]),
        k,
      );
      // Row j of each [k, V] block predicts completion[j].
      chunk.forEach((ex, j) => {
        total -= lossValue({ kind: "ce", target: [...ex.completion] }, logits[j], 1, v);
      });
    }
  }
  return total / examples.length;
}

function unit(v: readonly number[] | Float32Array): number[] {
  const n = Math.hypot(...v);
  return Array.from(v, (x) => x / n);
}

export async function learnSteeringSet(
  model: LensModel,
  kit: ProbeKit,
  objective: SteeringObjective,
  o: LearnSteeringSetOptions,
): Promise<{ entry: LearnedEntry; vectors: Map<number, Float32Array> }> {
  const magnitude = o.magnitude ?? 3;
  const steps = o.steps ?? 20;
  const lr = o.lr ?? 0.05;
  if (!(magnitude > 0) || !(lr > 0) || !Number.isInteger(steps) || steps < 1)
    throw new SeigeError(
      "validation_error",
      "learned steering: magnitude > 0, lr > 0 and steps ≥ 1 (an integer)",
    );
  if (objective.train.length === 0 || objective.test.length === 0)
    throw new SeigeError(
      "validation_error",
      `learned steering for "${objective.label}" needs training and held-out examples`,
    );
  if (!kit.library.labels.includes(objective.label))
    throw new SeigeError(
      "validation_error",
      `learned steering: the direction library has no "${objective.label}"`,
    );
  const d = model.config.dModel;
  const rows: LearnedSteeringRow[] = [];
  const vectors = new Map<number, Float32Array>();
  for (const [k, layer] of o.layers.entries()) {
    const hook = residPost(layer);
    const norm = magnitude * steeringUnit(kit, layer);
    const md = Array.from(kit.library.direction(objective.label, layer), (x) => x * norm);
    const res = await learnSteeringVector(model, objective.train, {
      layer,
      hook,
      steps,
      lr: (lr * norm) / Math.sqrt(d),
      maxNorm: norm,
      init: md,
      norm: "sphere",
    });
    const learned = unit(res.vector).map((x) => x * norm);
    const cosine = learned.reduce((s, x, i) => s + x * md[i], 0) / (norm * norm);
    rows.push({
      layer,
      norm,
      train: { start: res.history[0], end: res.history[res.history.length - 1] },
      heldOut: {
        base: await meanLogProb(model, objective.test, hook, null),
        meanDiff: await meanLogProb(model, objective.test, hook, md),
        learned: await meanLogProb(model, objective.test, hook, learned),
      },
      cosine,
    });
    vectors.set(layer, Float32Array.from(unit(res.vector)));
    o.onProgress?.(k + 1, o.layers.length);
  }
  return {
    entry: {
      label: objective.label,
      objective: objective.name,
      completions: objective.completions,
      magnitude,
      steps,
      lr,
      train: objective.train.length,
      test: objective.test.length,
      rows,
    },
    vectors,
  };
}
