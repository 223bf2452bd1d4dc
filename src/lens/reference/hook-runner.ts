/**
 * The reference forward's hook points: each architecture file wraps every
 * intermediate once with `hooks.at(name, x)` (like a TransformerLens HookPoint),
 * and this applies the declarative interventions at that name (intervene.ts, in
 * list order, in place), calls the optional TypeScript hook function, and records
 * a copy in the cache when the name was asked for. Head masks zero z before
 * `attn.hook_z`, so the cached z is the one W_O reads. A cached value is therefore the
 * activation after the interventions at its own hook, as the next layer sees it.
 *
 * Not here: any maths of the model.
 */
import { allHookNames, type HookName, type HookShape } from "../hooks.js";
import {
  applyAtHook,
  applyHeadMask,
  type CaptureResult,
  headMaskFor,
  rangePositions,
} from "../intervene.js";
import type { Intervention } from "../interventions.js";

/** A TypeScript hook: may read or change `x` [rows, width] in place; `rows` are absolute positions. */
export type HookFn = (name: HookName, x: Float32Array, rows: ArrayLike<number>) => void;

export class HookRunner {
  readonly cache = new Map<HookName, Float32Array>();
  readonly captures: CaptureResult[] = [];
  readonly rows: Int32Array;
  private readonly wanted: Set<string>;

  constructor(
    private readonly interventions: readonly Intervention[],
    hooks: readonly HookName[] | "all" | undefined,
    model: HookShape,
    nPositions: number,
    private readonly hookFn?: HookFn,
  ) {
    this.wanted = new Set(hooks === "all" ? allHookNames(model) : (hooks ?? []));
    this.rows = rangePositions(0, nPositions);
  }

  /** The hook point: intervene, call the hook function, record. Returns `x` (changed in place) for chaining. */
  at(name: HookName, x: Float32Array, width: number): Float32Array {
    this.captures.push(...applyAtHook(x, width, this.rows, name, this.interventions));
    this.hookFn?.(name, x, this.rows);
    if (this.wanted.has(name)) this.cache.set(name, x.slice());
    return x;
  }

  /** Zeroes the masked heads of `layer`'s z [pos, H, hd] in place (before hook_z and W_O). */
  maskHeads(layer: number, z: Float32Array, nHeads: number, dHead: number): Float32Array {
    const mask = headMaskFor(layer, nHeads, this.interventions);
    if (mask !== null) applyHeadMask(z, nHeads, dHead, mask);
    return z;
  }
}
