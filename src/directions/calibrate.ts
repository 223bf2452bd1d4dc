/**
 * Calibrated steering units (GAME.md §5): per layer, the scale at which steering
 * *against* `refusal` flips the model's behaviour on held-out harmful prompts.
 * For each layer it adds −s·d̂(refusal) at resid_post (all positions) for s on a
 * grid of fractions of the layer's typical norm, generates a few greedy tokens,
 * and counts replies that open with a refusal phrase; the flip scale is the
 * smallest s at which the refusal rate falls to half its unsteered value or
 * less. 1.0 calibrated unit = that scale, so a magnitude means the same thing at
 * every layer and on every model. A layer where no grid scale flips behaviour
 * gets the largest grid scale and `flipped: false` (the artifact says so rather
 * than pretending).
 *
 * It measures; it does not decide game rules, and it does not write files
 * (commands/precompute.ts stores the result in the artifact's metadata).
 */
import { residPost } from "../lens/hooks.js";
import type { InterventionInput } from "../lens/interventions.js";
import type { LensModel } from "../lens/model.js";
import { isRefusal } from "../util/refusal.js";
import type { ProbeKit } from "./types.js";

export { isRefusal };

/** Fractions of the layer's typical norm tried, smallest first. */
export const FLIP_GRID = [0.0625, 0.125, 0.25, 0.375, 0.5, 0.75, 1, 1.5, 2] as const;

export interface FlipRow {
  layer: number;
  /** residual-norm scale of 1 calibrated unit at this layer */
  flipScale: number;
  /** flipScale / typicalNorm(layer) */
  fraction: number;
  flipped: boolean;
  /** refusal rate without steering */
  base: number;
  /** refusal rate at each FLIP_GRID fraction */
  rates: number[];
  n: number;
}

export interface CalibrateOptions {
  /** token ids of held-out harmful prompts, rendered as the artifact's prompts are */
  prompts: number[][];
  layers: readonly number[];
  /** new tokens per reply (a refusal shows in its opening words) */
  newTokens?: number;
  /** whether reply `text` to prompt `k` is a refusal (default `isRefusal`) */
  judge?: (text: string, k: number) => boolean;
}

async function refusalRate(
  model: LensModel,
  opts: CalibrateOptions,
  ivs: InterventionInput[],
): Promise<number> {
  const judge = opts.judge ?? ((text: string) => isRefusal(text));
  const res = await model.generate(opts.prompts, {
    interventions: opts.prompts.map(() => ivs),
    maxNewTokens: opts.newTokens ?? 6,
    temperature: 0,
  });
  return res.filter((r, k) => judge(r.text, k)).length / Math.max(1, res.length);
}

/** Measures the refusal flip scale at each layer (see the file comment). */
export async function calibrateFlip(
  model: LensModel,
  kit: ProbeKit,
  opts: CalibrateOptions,
): Promise<FlipRow[]> {
  const base = await refusalRate(model, opts, []);
  const rows: FlipRow[] = [];
  for (const layer of opts.layers) {
    const d = Array.from(kit.library.direction("refusal", layer));
    const norm = kit.library.typicalNorm(layer);
    const rates: number[] = [];
    let found: number | null = null;
    for (const f of FLIP_GRID) {
      const iv: InterventionInput = {
        kind: "add",
        hook: residPost(layer),
        vector: d,
        scale: -f * norm,
        positions: "all",
      };
      const rate = await refusalRate(model, opts, [iv]);
      rates.push(rate);
      if (base > 0 && rate <= base / 2) {
        found = f;
        break;
      }
    }
    const fraction = found ?? FLIP_GRID[FLIP_GRID.length - 1];
    rows.push({
      layer,
      flipScale: fraction * norm,
      fraction,
      flipped: found !== null,
      base,
      rates,
      n: opts.prompts.length,
    });
  }
  return rows;
}
