/**
 * The sim's residual stream: one vector per layer for the request's last prompt
 * position, with the request's interventions applied where they act. This is
 * the only place activations are made; the decision, the probe and the suffix
 * search all read what it returns, so a patch that changes the decision also
 * changes what a probe sees.
 *
 * Model (docs/sim.md, "Residual stream"): x_l = μ_l + dev_l + n_l where
 *   dev_l = carry · dev_{l−1} + w_l   (the signal, carried on with decay),
 *   w_l   = (1 − attentionShare · |masked ordinary heads| / nHeads) · κ_l T_l Σ_k a_k d̂(k, l)
 *         + Σ_{unmasked refusal heads h at l} refusalHeadGain · harm · T_l · d̂(refusal, l),
 *   n_l   ~ N(0, diag σ_l²), drawn per layer from hash(content) and the request seed,
 *           and not carried on (it stands for the layer's own idiosyncratic computation).
 * Interventions at layer l act on x_l in list order (Red's first, then Blue's):
 * `steer` adds m·U_l·d̂ to dev_l (so it is carried on), U_l = steerUnit[l]·T_l
 * being 1 calibrated unit (the refusal flip scale, GAME.md §5); `project_out`
 * sets d̂'s component to its benign mean, x·d̂ ← μ_l·d̂, as the lens target does
 * (μ_l ⟂ d̂ by construction, so it removes d̂'s component from dev_l and n_l);
 * `mean_ablate` does the same for every library direction at once (the span of
 * the 9 labels goes to the benign mean; hidden directions and the rest of the
 * stream survive, as on the lens target); `head_mask` removes those heads'
 * writes at l.
 * It does not decide or summarise anything.
 */
import { Rng } from "../../util/rng.js";
import { DIRECTION_LABELS } from "../../vocab.js";
import type { TargetIntervention } from "../types.js";
import { SIM_DIRECTIONS, type SimGeometry } from "./geometry.js";
import { FEATURE_WRITES, FEATURES, type Feature, type LexicalReading } from "./lexical.js";

export interface ResidualTrace {
  /** dev_l for layers 0..(computed so far) (noise-free signal, after interventions) */
  dev: Float64Array[];
  /** x_l for each requested layer (μ + dev + noise, after interventions) */
  x: Map<number, Float64Array>;
  /** total steer norm applied at each layer, in units of T_l (over the layers computed) */
  steerTotal: number[];
}

/** The library labels are the first rows of SIM_DIRECTIONS (geometry.ts's Gram–Schmidt order). */
const LIBRARY_ROWS = DIRECTION_LABELS.length;

function rowOf(name: string): number {
  const row = SIM_DIRECTIONS.indexOf(name);
  // A typo in FEATURE_WRITES would otherwise write nowhere, silently.
  if (row < 0) throw new Error(`FEATURE_WRITES names unknown direction ${name}`);
  return row;
}

/** FEATURE_WRITES as (feature, row, coefficient) triples over SIM_DIRECTIONS rows, built once. */
const WRITE_TABLE: readonly { feature: Feature; row: number; coef: number }[] = FEATURES.flatMap(
  (feature) =>
    Object.entries(FEATURE_WRITES[feature]).map(([name, coef]) => ({
      feature,
      row: rowOf(name),
      coef: coef ?? 0,
    })),
);

/** a_k: how strongly the request's content writes each direction (indexed as SIM_DIRECTIONS), summed over features. */
export function contentCoefficients(reading: LexicalReading): Float64Array {
  const a = new Float64Array(SIM_DIRECTIONS.length);
  for (const { feature, row, coef } of WRITE_TABLE) a[row] += reading.features[feature] * coef;
  return a;
}

/** v −= (v·u) u for the unit row `row` of `packed`. */
function removeComponent(v: Float64Array, packed: Float64Array, row: number): void {
  const d = v.length;
  const o = row * d;
  let p = 0;
  for (let i = 0; i < d; i++) p += v[i] * packed[o + i];
  for (let i = 0; i < d; i++) v[i] -= p * packed[o + i];
}

/** v += s · u for the unit row `row` of `packed`. */
function addRow(v: Float64Array, packed: Float64Array, row: number, s: number): void {
  const d = v.length;
  const o = row * d;
  for (let i = 0; i < d; i++) v[i] += s * packed[o + i];
}

/**
 * n_l ~ N(0, diag σ_l²), from its own stream keyed by (content, seed, layer), so
 * generate and probe see the same noise whatever other layers they compute.
 * Normals by Marsaglia's polar method (no trigonometry: this is the hot loop).
 */
export function noiseAt(geo: SimGeometry, noiseKey: string, layer: number): Float64Array {
  const rng = new Rng(`${noiseKey}/L${layer}`);
  const sig = geo.sigma[layer];
  const n = new Float64Array(sig.length);
  for (let i = 0; i < n.length; i += 2) {
    let u = 0;
    let v = 0;
    let q = 0;
    do {
      u = 2 * rng.next() - 1;
      v = 2 * rng.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    n[i] = sig[i] * u * f;
    if (i + 1 < n.length) n[i + 1] = sig[i + 1] * v * f;
  }
  return n;
}

/**
 * Runs the stream from layer 0 through `upTo` (default: the last layer).
 * `wanted` layers get their full x_l (noise drawn only there, which keeps
 * generate fast). `continueResidual` carries a trace on to later layers.
 */
export function computeResidual(
  geo: SimGeometry,
  reading: LexicalReading,
  interventions: readonly TargetIntervention[],
  noiseKey: string,
  wanted: readonly number[],
  upTo: number = geo.config.nLayers - 1,
): ResidualTrace {
  const trace: ResidualTrace = {
    dev: [],
    x: new Map(),
    steerTotal: new Array<number>(geo.config.nLayers).fill(0),
  };
  return continueResidual(geo, reading, interventions, noiseKey, trace, wanted, upTo);
}

/** Extends `trace` (in place) from its last computed layer through `upTo`. */
export function continueResidual(
  geo: SimGeometry,
  reading: LexicalReading,
  interventions: readonly TargetIntervention[],
  noiseKey: string,
  trace: ResidualTrace,
  wanted: readonly number[],
  upTo: number = geo.config.nLayers - 1,
): ResidualTrace {
  const { dModel, nHeads, contentGain, attentionShare, carry, refusalHeadGain } = geo.config;
  const a = contentCoefficients(reading);
  const active: number[] = [];
  for (let k = 0; k < a.length; k++) if (a[k] !== 0) active.push(k);
  const refusalRow = geo.dirIndex.get("refusal")!;
  const hasHeadMask = interventions.some((iv) => iv.kind === "head_mask");
  const { dev, x, steerTotal } = trace;
  let prev: Float64Array | null = dev.length > 0 ? dev[dev.length - 1] : null;

  for (let l = dev.length; l <= upTo; l++) {
    const T = geo.norms[l];
    const packed = geo.packed[l];
    const refusalHeads = geo.refusalHeads[l];
    let maskedOrdinary = 0;
    let liveRefusalHeads = refusalHeads.length;
    if (hasHeadMask) {
      const masked = new Set<number>();
      for (const iv of interventions)
        if (iv.kind === "head_mask" && iv.layer === l) for (const h of iv.heads) masked.add(h);
      for (const h of masked) if (refusalHeads.includes(h)) liveRefusalHeads--;
      maskedOrdinary = masked.size - (refusalHeads.length - liveRefusalHeads);
    }
    const contentScale = (1 - (attentionShare * maskedOrdinary) / nHeads) * contentGain[l] * T;

    // dev_l = carry · dev_{l−1} + w_l   (both residual adds visible)
    const cur = new Float64Array(dModel);
    if (prev !== null) for (let i = 0; i < dModel; i++) cur[i] = carry * prev[i];
    for (const k of active) addRow(cur, packed, k, contentScale * a[k]);
    if (liveRefusalHeads > 0 && reading.harm > 0) {
      addRow(cur, packed, refusalRow, liveRefusalHeads * refusalHeadGain * reading.harm * T);
    }

    const noise = wanted.includes(l) ? noiseAt(geo, noiseKey, l) : null;
    for (const iv of interventions) {
      if (iv.kind === "steer" && iv.layer === l) {
        const unit = geo.config.steerUnit[l];
        addRow(cur, packed, geo.dirIndex.get(iv.label)!, iv.magnitude * unit * T);
        steerTotal[l] += iv.magnitude * unit;
      } else if (iv.kind === "project_out" && l >= iv.layers[0] && l <= iv.layers[1]) {
        const row = geo.dirIndex.get(iv.label)!;
        removeComponent(cur, packed, row);
        if (noise) removeComponent(noise, packed, row);
      } else if (iv.kind === "mean_ablate" && iv.layer === l) {
        // The library rows are orthonormal (Gram–Schmidt), so removing each in turn is the span's projection.
        for (let row = 0; row < LIBRARY_ROWS; row++) {
          removeComponent(cur, packed, row);
          if (noise) removeComponent(noise, packed, row);
        }
      }
    }

    dev.push(cur);
    if (noise) {
      const mu = geo.baseline.mean[l];
      for (let i = 0; i < dModel; i++) noise[i] += mu[i] + cur[i];
      x.set(l, noise);
    }
    prev = cur;
  }
  return trace;
}
