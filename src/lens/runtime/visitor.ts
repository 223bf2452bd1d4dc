/**
 * Turns per-sequence plans (plan.ts), user hook functions and cache requests
 * into the single `HookVisitor` the engine calls at each hook with the batch
 * tensor `[B, T, width]`. Sequence s owns rows s·T … s·T+T−1, and each row's
 * absolute position (−1 = padding, never edited or captured) comes with the
 * step, so a plan gives the same edits batched or alone, cached or not.
 *
 * At one hook: the sequence's interventions in list order (a capture reads the
 * value at its place in the list), then the user hook function, then the cache
 * copy — the same order as the reference forward's HookRunner.
 */
import type { HookName } from "../hooks.js";
import { applyAtHook, type CaptureResult } from "../intervene.js";
import type { Tensor } from "../types.js";
import type { HookVisitor } from "./engine.js";
import type { SequencePlan } from "./plan.js";

/**
 * A user hook on one sequence's activation: `x` is `[1, pos, width]` row-major
 * (`shape` says so); edit it in place or return a same-sized replacement.
 * On `attn.hook_z` it is read-only.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook edits in place (returns nothing) or returns a replacement
export type HookFn = (name: HookName, x: Float32Array, shape: number[]) => void | Float32Array;

export interface VisitorSpec {
  plans: SequencePlan[];
  positions: Int32Array; // [B*T]
  /** when given, captures of this step are collected here, per sequence */
  captures?: CaptureResult[][];
  /** hook functions by hook name (single-sequence runs) */
  hookFns?: Partial<Record<string, HookFn>>;
  /** hook names whose activation (sequence 0) is copied into `out` */
  cacheInto?: { names: ReadonlySet<string>; out: Map<HookName, Tensor> };
}

export function makeVisitor(spec: VisitorSpec): HookVisitor {
  const b = spec.plans.length;
  const t = spec.positions.length / b;
  // Every hook this visitor can act at: the engine runs the other blocks whole.
  const hooks = new Set<string>(spec.cacheInto?.names);
  for (const p of spec.plans) for (const h of p.hooks) hooks.add(h);
  for (const h of Object.keys(spec.hookFns ?? {})) hooks.add(h);
  const visit = (name: HookName, x: Float32Array, dims: number[]) => {
    const width = x.length / (b * t);
    for (let s = 0; s < b; s++) {
      const plan = spec.plans[s];
      if (!plan.hooks.has(name)) continue;
      const seg = x.subarray(s * t * width, (s + 1) * t * width);
      const caps = applyAtHook(
        seg,
        width,
        spec.positions.subarray(s * t, (s + 1) * t),
        name,
        plan.list,
      );
      spec.captures?.[s].push(...caps);
    }
    let out = x;
    const fn = spec.hookFns?.[name];
    if (fn) {
      const r = fn(name, out, [b, t, ...dims.slice(2)]);
      if (r) {
        if (r.length !== out.length)
          throw new RangeError(
            `hook function for ${name} returned ${r.length} values, expected ${out.length}`,
          );
        out = r;
      }
    }
    if (spec.cacheInto?.names.has(name)) {
      spec.cacheInto.out.set(name, { shape: [t, ...dims.slice(2)], data: out.slice(0, t * width) });
    }
    return out === x ? undefined : out;
  };
  return Object.assign(visit, { hooks });
}

/** Per-layer head-mask inputs `[B*H]` from the plans (layers nobody masks are left out: all ones). */
export function headMasks(plans: SequencePlan[], nHeads: number): Map<number, Float32Array> {
  const masks = new Map<number, Float32Array>();
  plans.forEach((p, s) => {
    for (const [layer, m] of p.headMask) {
      let all = masks.get(layer);
      if (!all) {
        all = new Float32Array(plans.length * nHeads).fill(1);
        masks.set(layer, all);
      }
      all.set(m, s * nHeads);
    }
  });
  return masks;
}
