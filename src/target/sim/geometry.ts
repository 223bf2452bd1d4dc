/**
 * The sim "model": its direction library, clean baseline, intent probe and
 * refusal heads, all built once from the sim seed (never the episode seed), so
 * they are the same in every episode, as a real model's would be. Holds the
 * data only; how requests move through it is `residual.ts`.
 *
 * Construction (docs/sim.md, "Geometry"): for each of the 9 library labels and
 * 4 hidden directions, a random unit vector at layer 0 that drifts slowly from
 * layer to layer; the 13 are then Gram–Schmidt orthonormalised per layer (in a
 * fixed order, library first) so labels do not leak into each other's cosines.
 * μ_l is random, orthogonal to all 13, with ‖μ_l‖ = meanShare·T_l; σ_l is a
 * random positive profile with ‖σ_l‖ = noiseShare·T_l.
 */

import type { Baseline, DirectionLibrary, IntentProbe, ProbeKit } from "../../directions/types.js";
import { SeigeError } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import { DIRECTION_LABELS, INTENT_CLASSES } from "../../vocab.js";
import {
  flipScaleOf,
  HIDDEN_DIRECTIONS,
  SIM_CONFIG,
  type SimConfig,
  typicalNormOf,
} from "./config.js";
import { buildSuffixVocabulary, type SuffixVocabulary } from "./vocab.js";

/** Library labels first, then hidden ones: the Gram–Schmidt order. */
export const SIM_DIRECTIONS: readonly string[] = [...DIRECTION_LABELS, ...HIDDEN_DIRECTIONS];

export interface SimGeometry extends ProbeKit {
  readonly config: SimConfig;
  /** T_l per layer */
  readonly norms: readonly number[];
  /** [layer] → (name → unit vector), library and hidden directions */
  readonly dirs: readonly ReadonlyMap<string, Float32Array>[];
  /** the same vectors packed per layer as [SIM_DIRECTIONS.length · dModel], f64, for the hot loop */
  readonly packed: readonly Float64Array[];
  /** name → row in `packed` (the index in SIM_DIRECTIONS) */
  readonly dirIndex: ReadonlyMap<string, number>;
  /** σ_l per layer (square root of the baseline variance) */
  readonly sigma: readonly Float32Array[];
  /** refusal heads per layer (empty array where none) */
  readonly refusalHeads: readonly (readonly number[])[];
  readonly vocab: SuffixVocabulary;
}

function normalise(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function gaussian(rng: Rng, d: number): Float64Array {
  const v = new Float64Array(d);
  for (let i = 0; i < d; i++) v[i] = rng.normal();
  return v;
}

export function buildSimGeometry(config: SimConfig): SimGeometry {
  const { nLayers: L, dModel: d } = config;
  const root = new Rng(config.seed);
  const norms = Array.from({ length: L }, (_, l) => typicalNormOf(config, l));

  // Raw drifting directions, then per-layer Gram–Schmidt.
  const raw = SIM_DIRECTIONS.map((name) => {
    const rng = root.child(`direction/${name}`);
    const out: Float64Array[] = [];
    let u = normalise(gaussian(rng, d));
    for (let l = 0; l < L; l++) {
      if (l > 0) {
        const g = gaussian(rng, d);
        u = normalise(u.map((x, i) => x + config.directionDrift * g[i]));
      }
      out.push(u);
    }
    return out;
  });
  const dirs: Map<string, Float32Array>[] = [];
  const mean: Float32Array[] = [];
  const variance: Float32Array[] = [];
  const sigma: Float32Array[] = [];
  for (let l = 0; l < L; l++) {
    const basis: Float64Array[] = [];
    const layerDirs = new Map<string, Float32Array>();
    SIM_DIRECTIONS.forEach((name, k) => {
      const v = Float64Array.from(raw[k][l]);
      for (const b of basis) {
        const p = dot(v, b);
        for (let i = 0; i < d; i++) v[i] -= p * b[i];
      }
      normalise(v);
      basis.push(v);
      layerDirs.set(name, Float32Array.from(v));
    });
    dirs.push(layerDirs);

    const mrng = root.child(`baseline/${l}`);
    const m = gaussian(mrng, d);
    for (const b of basis) {
      const p = dot(m, b);
      for (let i = 0; i < d; i++) m[i] -= p * b[i];
    }
    normalise(m);
    mean.push(Float32Array.from(m, (x) => x * config.meanShare * norms[l]));

    const s = Float64Array.from({ length: d }, () => Math.exp(config.sigmaSpread * mrng.normal()));
    const sn = Math.sqrt(dot(s, s));
    const sig = Float32Array.from(s, (x) => (x / sn) * config.noiseShare * norms[l]);
    sigma.push(sig);
    variance.push(Float32Array.from(sig, (x) => x * x));
  }

  const library: DirectionLibrary = {
    labels: DIRECTION_LABELS,
    nLayers: L,
    dModel: d,
    direction(label: string, layer: number): Float32Array {
      const v = dirs[layer]?.get(label);
      if (v === undefined || !(DIRECTION_LABELS as readonly string[]).includes(label)) {
        throw new SeigeError(
          "config_error",
          `the sim library has no direction "${label}" at layer ${layer}; labels: ${DIRECTION_LABELS.join(", ")}, layers 0..${L - 1}`,
        );
      }
      return v;
    },
    typicalNorm(layer: number): number {
      return norms[layer];
    },
    flipScale(layer: number): number | undefined {
      return layer >= 0 && layer < L ? flipScaleOf(config, layer) : undefined;
    },
  };
  const baseline: Baseline = { nLayers: L, dModel: d, mean, variance };

  // Closed-form intent probe: logit_c = G·(x·d̂(intent_c)/T_l − offset_c); benign 0.
  const probe: IntentProbe = {
    classes: INTENT_CLASSES,
    nLayers: L,
    dModel: d,
    weights: norms.map((T, l) =>
      INTENT_CLASSES.map((c) =>
        c === "benign"
          ? new Float32Array(d)
          : Float32Array.from(dirs[l].get(`intent_${c}`)!, (x) => (config.probeGain * x) / T),
      ),
    ),
    bias: norms.map(() =>
      INTENT_CLASSES.map((c) => (c === "benign" ? 0 : -config.probeGain * config.probeOffset[c])),
    ),
  };

  const heads = root.child("refusal-heads");
  const refusalHeads: number[][] = Array.from({ length: L }, () => []);
  for (const { layer, count } of config.refusalHeadLayers) {
    const all = Array.from({ length: config.nHeads }, (_, h) => h);
    refusalHeads[layer] = heads.sample(all, count).sort((a, b) => a - b);
  }

  const dirIndex = new Map(SIM_DIRECTIONS.map((name, k) => [name, k]));
  const packed = dirs.map((layerDirs) => {
    const out = new Float64Array(SIM_DIRECTIONS.length * d);
    SIM_DIRECTIONS.forEach((name, k) => {
      out.set(layerDirs.get(name)!, k * d);
    });
    return out;
  });

  return {
    config,
    norms,
    dirs,
    packed,
    dirIndex,
    sigma,
    refusalHeads,
    vocab: buildSuffixVocabulary(config),
    library,
    baseline,
    probe,
  };
}

let simModel: SimGeometry | null = null;

/**
 * The sim model, built once from the sim seed on first use and never mutated.
 * On first use, not at import: the build is a few ms warm but ~50 ms in a cold
 * process, which `seige serve` would otherwise pay before its first /health
 * (issue 16). `SIM_GEOMETRY` (index.ts) is the same object for callers that
 * want a constant.
 */
export function simGeometry(): SimGeometry {
  simModel ??= buildSimGeometry(SIM_CONFIG);
  return simModel;
}
