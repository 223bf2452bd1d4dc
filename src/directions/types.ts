/**
 * The data a white-box backend needs to summarise an activation (GAME.md §4):
 * a direction library (one unit vector per label and layer), a clean baseline
 * (per-layer mean and per-dimension variance of benign activations) and an
 * intent probe (per-layer multinomial logistic regression). They are plain data
 * interfaces on purpose: the sim builds them in closed form from its seed, and a
 * later issue loads them for a real model from a safetensors artifact. Nothing
 * here computes anything; `summary.ts` does the maths.
 */
import type { IntentClass } from "../vocab.js";

export interface DirectionLibrary {
  /** every label the library holds, in the order probe cosines are reported */
  readonly labels: readonly string[];
  readonly nLayers: number;
  readonly dModel: number;
  /** unit vector [dModel] for `label` at `layer`; throws `config_error` for an unknown label */
  direction(label: string, layer: number): Float32Array;
  /** the typical ‖residual‖ of clean traffic at `layer` */
  typicalNorm(layer: number): number;
  /**
   * The residual-norm scale of 1 calibrated steering unit at `layer` (the scale at
   * which steering against `refusal` flips behaviour, calibrate.ts), where the
   * artifact measured it; steering magnitudes are in these units when present.
   */
  flipScale?(layer: number): number | undefined;
  /**
   * The learned steering direction (unit) for `label` at `layer`, where the
   * artifact holds one (learned-steering.ts); steering along `label` uses it in
   * place of `direction` (probes, ablations and patches keep `direction`).
   */
  learned?(label: string, layer: number): Float32Array | undefined;
}

/** Clean (benign-traffic) statistics of the residual stream, per layer. */
export interface Baseline {
  readonly nLayers: number;
  readonly dModel: number;
  /** per layer, the mean μ_l [dModel] */
  readonly mean: readonly Float32Array[];
  /** per layer, the per-dimension variance σ_l² [dModel]; every entry > 0 */
  readonly variance: readonly Float32Array[];
}

/**
 * A per-layer multinomial logistic regression over the intent classes:
 * logits_c = weights[layer][c] · x + bias[layer][c], probabilities = softmax.
 * It reads the raw residual x (not x − μ), as a probe trained on raw
 * activations does.
 */
export interface IntentProbe {
  readonly classes: readonly IntentClass[];
  readonly nLayers: number;
  readonly dModel: number;
  /** [layer][class] → [dModel] */
  readonly weights: readonly (readonly Float32Array[])[];
  /** [layer][class] */
  readonly bias: readonly (readonly number[])[];
}

/** The three together: what `summarizeActivation` reads. */
export interface ProbeKit {
  library: DirectionLibrary;
  baseline: Baseline;
  probe: IntentProbe;
}
