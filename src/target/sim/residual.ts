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
import { feedHash, finishHash, type HashState, startHash } from "../../util/rng.js";
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
  /** what the trace was computed from, so continuing it reuses its signal (internal) */
  source?: {
    reading: LexicalReading;
    interventions: readonly TargetIntervention[];
    entry: SignalEntry;
  };
}

/** The library labels are the first rows of SIM_DIRECTIONS (geometry.ts's Gram–Schmidt order). */
const LIBRARY_ROWS = DIRECTION_LABELS.length;

function rowOf(name: string): number {
  const row = SIM_DIRECTIONS.indexOf(name);
  // A typo in FEATURE_WRITES would otherwise write nowhere, silently.
  if (row < 0) throw new Error(`FEATURE_WRITES names unknown direction ${name}`);
  return row;
}

/** FEATURE_WRITES per feature, in FEATURES order, as (row over SIM_DIRECTIONS, coefficient) pairs, built once. */
const WRITE_TABLE: readonly {
  feature: Feature;
  writes: readonly { row: number; coef: number }[];
}[] = FEATURES.map((feature) => ({
  feature,
  writes: Object.entries(FEATURE_WRITES[feature]).map(([name, coef]) => ({
    row: rowOf(name),
    coef: coef ?? 0,
  })),
}));

/**
 * a_k: how strongly the request's content writes each direction (indexed as
 * SIM_DIRECTIONS), summed over features in FEATURES order. A feature at exactly 0
 * adds only zeros to sums that start at +0 and so can never be −0: skipping it
 * changes no bit, and most requests light two or three of the fourteen.
 */
export function contentCoefficients(reading: LexicalReading): Float64Array {
  const a = new Float64Array(SIM_DIRECTIONS.length);
  for (const { feature, writes } of WRITE_TABLE) {
    const v = reading.features[feature];
    if (v === 0) continue;
    for (const { row, coef } of writes) a[row] += v * coef;
  }
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
 * n_l ~ N(0, diag σ_l²) from the stream seeded by `state` (cyrb128 of
 * `${noiseKey}/L${layer}`, exactly as `new Rng(...)` seeds itself): sfc32 run
 * inline with the same 12 discarded outputs, normals by Marsaglia's polar
 * method (no trigonometry: this is the hot loop). The same draws as an `Rng`,
 * without building its key string or object.
 */
function drawNoise(sig: Float32Array, state: HashState): Float64Array {
  let [a, b, c, d] = finishHash(state);
  let t = 0;
  for (let i = 0; i < 12; i++) {
    t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
  }
  const n = new Float64Array(sig.length);
  for (let i = 0; i < n.length; i += 2) {
    let u = 0;
    let v = 0;
    let q = 0;
    do {
      t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      u = 2 * ((t >>> 0) / 4294967296) - 1;
      t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      v = 2 * ((t >>> 0) / 4294967296) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    n[i] = sig[i] * u * f;
    if (i + 1 < n.length) n[i + 1] = sig[i + 1] * v * f;
  }
  return n;
}

/**
 * n_l ~ N(0, diag σ_l²), from its own stream keyed by (content, seed, layer), so
 * generate and probe see the same noise whatever other layers they compute.
 */
export function noiseAt(geo: SimGeometry, noiseKey: string, layer: number): Float64Array {
  return drawNoise(geo.sigma[layer], feedHash(startHash(), `${noiseKey}/L${layer}`));
}

/** A (content, seed)'s noise: the hash state after `${noiseKey}/L`, and the layers drawn so far. */
interface NoiseEntry {
  prefix: HashState;
  layers: (Float64Array | undefined)[];
}

/** Recent noise per model, by (content, seed) then layer: a probe, the generate after it and a
 * counterfactual all draw the same noise, so it is drawn once. */
const RECENT_NOISE = new WeakMap<SimGeometry, Map<string, NoiseEntry>>();

/** `noiseAt`, remembered for recent keys. Read-only: callers that edit it copy it first. */
function noiseOf(geo: SimGeometry, noiseKey: string, layer: number): Float64Array {
  let recent = RECENT_NOISE.get(geo);
  if (recent === undefined) {
    recent = new Map();
    RECENT_NOISE.set(geo, recent);
  }
  let entry = recent.get(noiseKey);
  if (entry === undefined) {
    if (recent.size >= 512) recent.clear();
    entry = { prefix: feedHash(startHash(), `${noiseKey}/L`), layers: [] };
    recent.set(noiseKey, entry);
  }
  let n = entry.layers[layer];
  if (n === undefined) {
    n = drawNoise(geo.sigma[layer], feedHash(entry.prefix, String(layer)));
    entry.layers[layer] = n;
  }
  return n;
}

/** Whether an intervention edits the noise at layer `l` (project_out and mean_ablate act on all of x_l). */
function editsNoiseAt(interventions: readonly TargetIntervention[], l: number): boolean {
  for (const iv of interventions) {
    if (iv.kind === "project_out" && l >= iv.layers[0] && l <= iv.layers[1]) return true;
    if (iv.kind === "mean_ablate" && iv.layer === l) return true;
  }
  return false;
}

/**
 * x_l = n_l + (μ_l + dev_l) into `out`, the noise edited first by the
 * interventions at l in list order (the same arithmetic, in the same order, as
 * ever). `out` may be a reused scratch vector: nothing else is allocated unless
 * an intervention edits the noise.
 */
export function residualInto(
  geo: SimGeometry,
  interventions: readonly TargetIntervention[],
  noiseKey: string,
  layer: number,
  devL: Float64Array,
  out: Float64Array,
): Float64Array {
  let noise = noiseOf(geo, noiseKey, layer);
  if (interventions.length > 0 && editsNoiseAt(interventions, layer)) {
    noise = noise.slice();
    const packed = geo.packed[layer];
    for (const iv of interventions) {
      if (iv.kind === "project_out" && layer >= iv.layers[0] && layer <= iv.layers[1])
        removeComponent(noise, packed, geo.dirIndex.get(iv.label)!);
      else if (iv.kind === "mean_ablate" && iv.layer === layer)
        for (let row = 0; row < LIBRARY_ROWS; row++) removeComponent(noise, packed, row);
    }
  }
  const mu = geo.baseline.mean[layer];
  for (let i = 0; i < out.length; i++) out[i] = noise[i] + (mu[i] + devL[i]);
  return out;
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

/**
 * The noise-free part of a request's stream: dev_l for layers 0.. and the steer
 * totals, a function of (content coefficients, harm, interventions) alone. Many
 * requests share those (benign texts light the same few features), so signals
 * are remembered per model and extended layer by layer as callers need more.
 * Layers once made are never edited: callers get the same arrays, read-only.
 */
interface Signal {
  dev: Float64Array[];
  steerTotal: number[];
}

interface SignalEntry {
  a: Float64Array;
  harm: number;
  interventions: readonly TargetIntervention[];
  signal: Signal;
}

const SIGNALS = new WeakMap<SimGeometry, Map<number, SignalEntry[]>>();

const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);

/** Mixes a double's bits into `h` (so -0 and 0 differ, as they may in the sums). */
function mixNumber(h: number, x: number): number {
  BITS[0] = x;
  const m = Math.imul(h ^ WORDS[0], 0x9e3779b1);
  return Math.imul(m ^ WORDS[1], 0x85ebca77);
}

function mixValue(h: number, v: unknown): number {
  if (typeof v === "number") return mixNumber(h, v);
  if (typeof v === "string") {
    let m = h;
    for (let i = 0; i < v.length; i++) m = Math.imul(m ^ v.charCodeAt(i), 0x9e3779b1);
    return m;
  }
  if (Array.isArray(v)) {
    let m = h;
    for (const x of v) m = mixValue(m, x);
    return Math.imul(m ^ v.length, 0x85ebca77);
  }
  let m = h;
  if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) m = mixValue(mixValue(m, k), x);
  return m;
}

/** Deep equality of plain data, numbers compared with Object.is. */
function sameValue(x: unknown, y: unknown): boolean {
  if (typeof x === "number" || typeof y === "number") return Object.is(x, y);
  if (x === y) return true;
  if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx)
    if (!sameValue((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]))
      return false;
  return true;
}

function sameInputs(
  e: SignalEntry,
  a: Float64Array,
  harm: number,
  interventions: readonly TargetIntervention[],
): boolean {
  if (!Object.is(e.harm, harm)) return false;
  for (let k = 0; k < a.length; k++) if (!Object.is(e.a[k], a[k])) return false;
  return sameValue(e.interventions, interventions);
}

function signalOf(
  geo: SimGeometry,
  reading: LexicalReading,
  interventions: readonly TargetIntervention[],
  upTo: number,
): SignalEntry {
  const a = contentCoefficients(reading);
  let signals = SIGNALS.get(geo);
  if (signals === undefined) {
    signals = new Map();
    SIGNALS.set(geo, signals);
  }
  let h = mixNumber(0x2545f491, reading.harm);
  for (let k = 0; k < a.length; k++) h = mixNumber(h, a[k]);
  h = mixValue(h, interventions);
  let entry = signals.get(h)?.find((e) => sameInputs(e, a, reading.harm, interventions));
  if (entry === undefined) {
    if (signals.size >= 1024) signals.clear();
    entry = {
      a,
      harm: reading.harm,
      // A copy: the caller may edit its interventions after this call.
      interventions: structuredClone(interventions),
      signal: { dev: [], steerTotal: new Array<number>(geo.config.nLayers).fill(0) },
    };
    const bucket = signals.get(h) ?? [];
    bucket.push(entry);
    signals.set(h, bucket);
  }
  extendEntry(geo, entry, upTo);
  return entry;
}

/** The entry's signal through `upTo`, from its own (copied) inputs. */
function extendEntry(geo: SimGeometry, entry: SignalEntry, upTo: number): void {
  if (entry.signal.dev.length <= upTo)
    extendSignal(geo, entry.a, entry.harm, entry.interventions, entry.signal, upTo);
}

/** dev_l and the steer totals from `signal`'s last layer through `upTo` (docs/sim.md's model, noise aside). */
function extendSignal(
  geo: SimGeometry,
  a: Float64Array,
  harm: number,
  interventions: readonly TargetIntervention[],
  signal: Signal,
  upTo: number,
): void {
  const { dModel, nHeads, contentGain, attentionShare, carry, refusalHeadGain } = geo.config;
  const active: number[] = [];
  for (let k = 0; k < a.length; k++) if (a[k] !== 0) active.push(k);
  const refusalRow = geo.dirIndex.get("refusal")!;
  const hasHeadMask = interventions.some((iv) => iv.kind === "head_mask");
  const { dev, steerTotal } = signal;
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
    if (liveRefusalHeads > 0 && harm > 0) {
      addRow(cur, packed, refusalRow, liveRefusalHeads * refusalHeadGain * harm * T);
    }
    for (const iv of interventions) {
      if (iv.kind === "steer" && iv.layer === l) {
        const unit = geo.config.steerUnit[l];
        addRow(cur, packed, geo.dirIndex.get(iv.label)!, iv.magnitude * unit * T);
        steerTotal[l] += iv.magnitude * unit;
      } else if (iv.kind === "project_out" && l >= iv.layers[0] && l <= iv.layers[1]) {
        removeComponent(cur, packed, geo.dirIndex.get(iv.label)!);
      } else if (iv.kind === "mean_ablate" && iv.layer === l) {
        // The library rows are orthonormal (Gram–Schmidt), so removing each in turn is the span's projection.
        for (let row = 0; row < LIBRARY_ROWS; row++) removeComponent(cur, packed, row);
      }
    }
    dev.push(cur);
    prev = cur;
  }
}

/**
 * Extends `trace` (in place) from its last computed layer through `upTo`: dev_l
 * from the request's signal, and for `wanted` layers x_l = μ_l + dev_l + n_l,
 * with the noise edited by the same interventions as dev_l, in the same order.
 */
export function continueResidual(
  geo: SimGeometry,
  reading: LexicalReading,
  interventions: readonly TargetIntervention[],
  noiseKey: string,
  trace: ResidualTrace,
  wanted: readonly number[],
  upTo: number = geo.config.nLayers - 1,
): ResidualTrace {
  const { dev, x, steerTotal } = trace;
  if (dev.length > upTo) return trace;
  // The same reading and interventions as the trace was begun with (generate's
  // style read after its decision): its signal, without hashing them again.
  const from = trace.source;
  let entry: SignalEntry;
  if (from !== undefined && from.reading === reading && from.interventions === interventions) {
    entry = from.entry;
    extendEntry(geo, entry, upTo);
  } else {
    entry = signalOf(geo, reading, interventions, upTo);
    trace.source = { reading, interventions, entry };
  }
  const { signal } = entry;
  const dModel = geo.config.dModel;
  for (let l = dev.length; l <= upTo; l++) {
    const cur = signal.dev[l];
    steerTotal[l] += signal.steerTotal[l];
    dev.push(cur);
    if (wanted.includes(l))
      x.set(l, residualInto(geo, interventions, noiseKey, l, cur, new Float64Array(dModel)));
  }
  return trace;
}
