/**
 * The maths of the declarative interventions (interventions.ts) on one sequence's
 * activation at one hook: a row-major Float32Array [rows, d_model] whose row r holds
 * absolute token position `rowPositions[r]` (a prefill passes 0..n-1, a decode step
 * passes [p], a left-padded batch row passes -1 for its padding rows, which are never
 * touched). Both the reference forward and the ORT runtime call these between
 * blocks, so the two agree by construction and cached runs intervene on each
 * position exactly once (at prefill, or at its own decode step).
 *
 * Interventions at a hook apply in list order, in place; a `capture` in the list
 * reads the value as it stands at that point of the list. `head_mask` is not a
 * residual-stream op: `headMaskFor` turns it into a per-head 0/1 vector that the
 * attention multiplies into `attn.hook_z` before W_O. Deliberately not here:
 * batching, KV caches and accumulating captures across decode steps (model.ts).
 */
import { SeigeError } from "../util/errors.js";
import { hookShape, parseHookName } from "./hooks.js";
import type {
  AddIntervention,
  CaptureIntervention,
  Intervention,
  ProjectOutIntervention,
  ReplaceIntervention,
} from "./interventions.js";

export type RowPositions = ArrayLike<number>;

/** Absolute positions start, start+1, …, start+n-1. */
export function rangePositions(start: number, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = start + i;
  return p;
}

function checkLength(what: string, got: number, dModel: number): void {
  if (got !== dModel) {
    throw new SeigeError(
      "validation_error",
      `${what} has length ${got}, but the model's d_model is ${dModel}`,
    );
  }
}

/** x[r] += scale · vector for rows whose absolute position is selected. */
export function applyAdd(
  x: Float32Array,
  dModel: number,
  rows: RowPositions,
  iv: AddIntervention,
): void {
  checkLength(`add vector at ${iv.hook}`, iv.vector.length, dModel);
  const chosen = iv.positions === "all" ? null : new Set(iv.positions);
  const v = iv.vector;
  const s = iv.scale;
  for (let r = 0; r < rows.length; r++) {
    const p = rows[r];
    if (p < 0 || (chosen !== null && !chosen.has(p))) continue;
    const o = r * dModel;
    for (let i = 0; i < dModel; i++) x[o + i] += s * v[i];
  }
}

/** x[r] -= (x[r]·d̂) d̂ for every non-padding row. The direction is normalised here (in f64). */
export function applyProjectOut(
  x: Float32Array,
  dModel: number,
  rows: RowPositions,
  iv: ProjectOutIntervention,
): void {
  checkLength(`project_out direction at ${iv.hook}`, iv.direction.length, dModel);
  let norm = 0;
  for (const v of iv.direction) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm === 0)
    throw new SeigeError("validation_error", `project_out direction at ${iv.hook} is all zeros`);
  const u = iv.direction.map((v) => v / norm);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r] < 0) continue;
    const o = r * dModel;
    let dot = 0;
    for (let i = 0; i < dModel; i++) dot += x[o + i] * u[i];
    for (let i = 0; i < dModel; i++) x[o + i] -= dot * u[i];
  }
}

/** x[r] = values for every non-padding row (replace and mean_ablate). */
export function applyReplace(
  x: Float32Array,
  dModel: number,
  rows: RowPositions,
  iv: ReplaceIntervention,
): void {
  checkLength(`${iv.kind} values at ${iv.hook}`, iv.values.length, dModel);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r] < 0) continue;
    x.set(iv.values, r * dModel);
  }
}

/**
 * Reduces an activation over its non-padding rows: `last` → [width], `mean` → [width],
 * `all` → [rows, width] (padding rows dropped). `width` is d_model, or H·d_head for hook_z.
 */
export function reduceCapture(
  x: Float32Array,
  width: number,
  rows: RowPositions,
  reduce: CaptureIntervention["reduce"],
): Float32Array {
  const live: number[] = [];
  for (let r = 0; r < rows.length; r++) if (rows[r] >= 0) live.push(r);
  if (reduce === "last") {
    if (live.length === 0) return new Float32Array(width);
    const r = live[live.length - 1];
    return x.slice(r * width, (r + 1) * width);
  }
  if (reduce === "mean") {
    const out = new Float32Array(width);
    if (live.length === 0) return out;
    const acc = new Float64Array(width);
    for (const r of live) for (let i = 0; i < width; i++) acc[i] += x[r * width + i];
    for (let i = 0; i < width; i++) out[i] = acc[i] / live.length;
    return out;
  }
  const out = new Float32Array(live.length * width);
  live.forEach((r, k) => {
    out.set(x.subarray(r * width, (r + 1) * width), k * width);
  });
  return out;
}

/** One capture's result at a hook: the index of the capture in the intervention list, and its value. */
export interface CaptureResult {
  index: number;
  hook: string;
  reduce: CaptureIntervention["reduce"];
  value: Float32Array;
}

/**
 * Applies, in list order, every intervention of `list` that names `hook`, in place on
 * `x` [rows, width]. Returns the captures taken at this hook. Residual-stream ops on
 * `attn.hook_z` are rejected (validateInterventions says so up front).
 */
export function applyAtHook(
  x: Float32Array,
  width: number,
  rows: RowPositions,
  hook: string,
  list: readonly Intervention[],
): CaptureResult[] {
  const captures: CaptureResult[] = [];
  list.forEach((iv, index) => {
    if (iv.kind === "head_mask" || iv.hook !== hook) return;
    switch (iv.kind) {
      case "add":
        applyAdd(x, width, rows, iv);
        break;
      case "project_out":
        applyProjectOut(x, width, rows, iv);
        break;
      case "replace":
      case "mean_ablate":
        applyReplace(x, width, rows, iv);
        break;
      case "capture":
        captures.push({
          index,
          hook,
          reduce: iv.reduce,
          value: reduceCapture(x, width, rows, iv.reduce),
        });
        break;
    }
  });
  return captures;
}

/** Per-head multiplier for `layer`'s `attn.hook_z` (1 = keep, 0 = masked), or null when no head is masked. */
export function headMaskFor(
  layer: number,
  nHeads: number,
  list: readonly Intervention[],
): Float32Array | null {
  let mask: Float32Array | null = null;
  for (const iv of list) {
    if (iv.kind !== "head_mask" || iv.layer !== layer) continue;
    mask ??= new Float32Array(nHeads).fill(1);
    for (const h of iv.heads) {
      if (h >= nHeads)
        throw new SeigeError(
          "validation_error",
          `head_mask: head ${h} does not exist (layer ${layer} has ${nHeads} heads)`,
        );
      mask[h] = 0;
    }
  }
  return mask;
}

/** z [rows, nHeads, dHead] *= mask[head], in place. */
export function applyHeadMask(
  z: Float32Array,
  nHeads: number,
  dHead: number,
  mask: Float32Array,
): void {
  const rows = z.length / (nHeads * dHead);
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < nHeads; h++) {
      if (mask[h] === 1) continue;
      const o = (r * nHeads + h) * dHead;
      // fill rather than multiply: 0 × negative would leave -0 behind.
      if (mask[h] === 0) z.fill(0, o, o + dHead);
      else for (let i = 0; i < dHead; i++) z[o + i] *= mask[h];
    }
  }
}

/**
 * Checks a parsed intervention list against a model before anything runs: hook names
 * exist, vectors have length d_model, heads and layers exist, and only `capture`
 * reads `attn.hook_z`. Throws `validation_error` naming the offending entry.
 */
export function validateInterventions(
  list: readonly Intervention[],
  model: { nLayers: number; nHeads: number; dModel: number; gemma4?: { ple: unknown } },
): void {
  list.forEach((iv, i) => {
    const where = `intervention ${i} (${iv.kind})`;
    if (iv.kind === "head_mask") {
      if (iv.layer >= model.nLayers)
        throw new SeigeError(
          "validation_error",
          `${where}: layer ${iv.layer} does not exist (${model.nLayers} layers)`,
        );
      for (const h of iv.heads) {
        if (h >= model.nHeads)
          throw new SeigeError(
            "validation_error",
            `${where}: head ${h} does not exist (${model.nHeads} heads)`,
          );
      }
      return;
    }
    const site = parseHookName(iv.hook, hookShape(model));
    if (site === null)
      throw new SeigeError(
        "validation_error",
        `${where}: "${iv.hook}" is not a hook point of this ${model.nLayers}-layer model`,
      );
    if (site.kind === "attn_z" && iv.kind !== "capture") {
      throw new SeigeError(
        "validation_error",
        `${where}: ${iv.kind} acts on [pos, d_model] hooks; use head_mask for attn.hook_z`,
      );
    }
    const len =
      iv.kind === "add"
        ? iv.vector.length
        : iv.kind === "project_out"
          ? iv.direction.length
          : iv.kind === "capture"
            ? model.dModel
            : iv.values.length;
    checkLength(`${where} vector`, len, model.dModel);
  });
}
