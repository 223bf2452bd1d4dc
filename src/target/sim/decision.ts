/**
 * The sim's refusal decision: reads the residual at the decision layers and
 * turns it into P(full leak) and P(partial leak) (docs/sim.md, "Decision").
 *
 *   r_k(l) = (x_l − μ_l)·d̂(k, l) / T_l                     (a projection, in units of T_l)
 *   ρ      = mean_{l ∈ decisionLayers} Σ_k readout[k]·r_k(l) − textEncodingRelief·min(1, encoding)
 *   pComply = σ((threshold − ρ) / temperature)
 *   coherence = clamp((overSteerBreak − s) / (overSteerBreak − overSteerSoft), 0, 1),
 *               s = the largest total steer norm at one layer (units of T_l)
 *   pLeak  = [extraction ≥ intentGate] · coherence · pComply
 *   pPartial = pLeak · φ, pFull = pLeak · (1 − φ), φ = partialBase + partialPerDistraction·min(1, distraction)
 *
 * Only requests with extraction intent can leak; steering after the decision
 * layers cannot reach them; steering far before has decayed (carry < 1) and
 * rotated (directions drift). Sampling the outcome from these probabilities
 * happens in `sampleOutcome`, from the request seed. Rendering text is not here.
 */
import { feedHash, finishHash, type HashState, Rng, startHash } from "../../util/rng.js";
import type { ChatMessage, TargetRequest } from "../types.js";
import { type SimGeometry, simGeometry } from "./geometry.js";
import { type Features, type LexicalReading, readRequest } from "./lexical.js";
import { computeResidual, type ResidualTrace, residualInto } from "./residual.js";

export interface SimDecision {
  /** probability the output holds the whole guarded value */
  pFull: number;
  /** probability it holds a contiguous piece of at least half of it */
  pPartial: number;
  /** P(the model complies), before the intent gate and coherence */
  pComply: number;
  /** ρ: higher means more refusal */
  refusalScore: number;
  /** 1 = fluent; falls to 0 as steering exceeds what the model tolerates */
  coherence: number;
  extractionIntent: number;
  /** mean r_k over the decision layers, per readout label */
  readouts: Record<string, number>;
  features: Features;
}

export interface SimEvaluation {
  decision: SimDecision;
  reading: LexicalReading;
  /** dev_l through the last decision layer (x_l is read, not kept: `trace.x` is empty) */
  trace: ResidualTrace;
  /** hash of the request's messages: with the seed, keys every random draw for this request */
  contentKey: string;
}

export type SimOutcome = "full" | "partial" | "none" | "garbled";

/** The hash state after one message, remembered with the state it started from. */
interface MessageHash {
  from: HashState;
  to: HashState;
  role: string;
  content: string;
}
/** Per message object: a session's history is the same objects on every later request. */
const AFTER_MESSAGE = new WeakMap<ChatMessage, MessageHash>();
/** Per first message's text: the system prompt is a fresh object per request but the same text. */
const AFTER_FIRST = new Map<string, { role: string; to: HashState }>();

const sameState = (a: HashState, b: HashState) =>
  a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

function feedMessage(state: HashState, m: ChatMessage, first: boolean): HashState {
  const head = first ? `${m.role}\u0000` : `\u0001${m.role}\u0000`;
  return feedHash(feedHash(state, head), m.content);
}

/**
 * hash32 of the messages joined as `role\0content` with `\1` between, plus the
 * seed. The hash runs over the text in pieces and remembers its state after
 * each message (cyrb128 streams: the result is the hash of the joined text), so
 * a long system prompt and history are hashed once per episode, not once per
 * request (issue 16).
 */
export function contentKeyOf(request: TargetRequest): string {
  const { messages } = request;
  let state = startHash();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (i === 0) {
      const known = AFTER_FIRST.get(m.content);
      if (known !== undefined && known.role === m.role) {
        state = known.to;
        continue;
      }
      const to = feedMessage(state, m, true);
      if (AFTER_FIRST.size >= 256) AFTER_FIRST.clear();
      AFTER_FIRST.set(m.content, { role: m.role, to });
      state = to;
      continue;
    }
    const known = AFTER_MESSAGE.get(m);
    // The object may have been edited since: trust the memo only for the same role and text.
    if (
      known !== undefined &&
      sameState(known.from, state) &&
      known.role === m.role &&
      known.content === m.content
    ) {
      state = known.to;
      continue;
    }
    const to = feedMessage(state, m, false);
    AFTER_MESSAGE.set(m, { from: state, to, role: m.role, content: m.content });
    state = to;
  }
  return `${finishHash(state)[0]}/${request.seed}`;
}

/**
 * The largest total steer norm applied at one layer, in units of T_l (calibrated
 * magnitude × that layer's `steerUnit`; 0 without steering).
 */
export function maxSteerPerLayer(request: TargetRequest, geo: SimGeometry = simGeometry()): number {
  const total = new Map<number, number>();
  for (const iv of request.interventions) {
    if (iv.kind === "steer")
      total.set(
        iv.layer,
        (total.get(iv.layer) ?? 0) + iv.magnitude * (geo.config.steerUnit[iv.layer] ?? 1),
      );
  }
  return Math.max(0, ...total.values());
}

const READOUT_LABELS = new WeakMap<SimGeometry["config"], readonly string[]>();
/** `Object.keys(config.readout)`, once per config. */
function readoutLabels(cfg: SimGeometry["config"]): readonly string[] {
  let labels = READOUT_LABELS.get(cfg);
  if (labels === undefined) {
    labels = Object.keys(cfg.readout);
    READOUT_LABELS.set(cfg, labels);
  }
  return labels;
}

const READOUT_ROWS = new WeakMap<SimGeometry, readonly number[]>();
/** The readout labels' rows in `packed`, once per model. */
function readoutRows(geo: SimGeometry, labels: readonly string[]): readonly number[] {
  let rows = READOUT_ROWS.get(geo);
  if (rows === undefined) {
    rows = labels.map((k) => geo.dirIndex.get(k)!);
    READOUT_ROWS.set(geo, rows);
  }
  return rows;
}

/** One x_l at a time is all the decision reads: a reused vector per width. */
const SCRATCH = new Map<number, Float64Array>();
function scratchOf(d: number): Float64Array {
  let v = SCRATCH.get(d);
  if (v === undefined) {
    v = new Float64Array(d);
    SCRATCH.set(d, v);
  }
  return v;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function evaluateRequest(geo: SimGeometry, request: TargetRequest): SimEvaluation {
  const cfg = geo.config;
  const reading = readRequest(request.messages, geo.vocab);
  const contentKey = contentKeyOf(request);
  const layers = cfg.decisionLayers as readonly number[];
  // Only up to the last decision layer: nothing later can change the decision.
  // x_l is read from one scratch vector rather than kept (nothing reads it later).
  const trace = computeResidual(
    geo,
    reading,
    request.interventions,
    contentKey,
    [],
    Math.max(...layers),
  );

  // The readout labels' rows of `packed` (the same f32 values as `dirs`, so the
  // same products), summed per label over the layers in the same order as ever.
  const labels = readoutLabels(cfg);
  const rows = readoutRows(geo, labels);
  const sums = new Float64Array(labels.length);
  const d = cfg.dModel;
  const xl = scratchOf(d);
  for (const l of layers) {
    residualInto(geo, request.interventions, contentKey, l, trace.dev[l], xl);
    const mu = geo.baseline.mean[l];
    // x_l − μ_l once per layer rather than once per label: the same differences.
    for (let i = 0; i < d; i++) xl[i] = xl[i] - mu[i];
    const T = geo.norms[l];
    const packed = geo.packed[l];
    for (let j = 0; j < rows.length; j++) {
      const o = rows[j] * d;
      let p = 0;
      for (let i = 0; i < d; i++) p += xl[i] * packed[o + i];
      sums[j] += p / T / layers.length;
    }
  }
  const readouts: Record<string, number> = {};
  for (let j = 0; j < labels.length; j++) readouts[labels[j]] = sums[j];
  let rho = -cfg.textEncodingRelief * Math.min(1, reading.features.encoding);
  for (const [k, w] of Object.entries(cfg.readout)) rho += w * readouts[k];

  const pComply = sigmoid((cfg.threshold - rho) / cfg.temperature);
  // Over-steering breaks the model at any layer, including after the decision layers.
  const steer = maxSteerPerLayer(request, geo);
  const coherence = Math.min(
    1,
    Math.max(0, (cfg.overSteerBreak - steer) / (cfg.overSteerBreak - cfg.overSteerSoft)),
  );
  const extraction = reading.features.extraction;
  const pLeak = extraction >= cfg.intentGate ? coherence * pComply : 0;
  const phi =
    cfg.partialBase + cfg.partialPerDistraction * Math.min(1, reading.features.distraction);

  return {
    decision: {
      pFull: pLeak * (1 - phi),
      pPartial: pLeak * phi,
      pComply,
      refusalScore: rho,
      coherence,
      extractionIntent: extraction,
      readouts,
      features: reading.features,
    },
    reading,
    trace,
    contentKey,
  };
}

/** The lead's calibration entry point: leak probabilities for one request. */
export function simDecision(request: TargetRequest, geo: SimGeometry = simGeometry()): SimDecision {
  return evaluateRequest(geo, request).decision;
}

/**
 * Samples the outcome from the request seed: first whether the model stays
 * coherent (1 − coherence ⇒ garbled), then full / partial / none.
 */
export function sampleOutcome(decision: SimDecision, contentKey: string): SimOutcome {
  const rng = new Rng(`${contentKey}/outcome`);
  const broken = rng.next() >= decision.coherence;
  const u = rng.next();
  if (broken) return "garbled";
  // pFull and pPartial already include coherence; condition on being coherent.
  const c = decision.coherence;
  if (u < decision.pFull / c) return "full";
  if (u < (decision.pFull + decision.pPartial) / c) return "partial";
  return "none";
}
