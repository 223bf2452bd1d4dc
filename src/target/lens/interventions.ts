/**
 * Game-level interventions (target/types.ts: a direction *label*, a magnitude in
 * units of the layer's typical norm) resolved against a model's `ProbeKit` into
 * the lens runtime's declarative interventions (lens/interventions.ts), which
 * carry concrete vectors and hook names.
 *
 * Every residual-stream edit acts at `blocks.{layer}.hook_resid_post`, the
 * output of block `layer`: that is the site the direction artifact reads its
 * activations from (src/directions extracts, baselines and probes at
 * resid_post), so a steer of `magnitude × typicalNorm(layer)` is measured in
 * the same units as the library, a `project_out` removes exactly the direction
 * the library found there, and a `mean_ablate` writes back the very mean the
 * baseline recorded. GAME.md §5 says "at target_layer"; resid_post makes layer
 * L's edit visible to every block after L and to Blue's probe at L.
 *
 * Order is kept: the runtime applies a hook's interventions in list order, and
 * the arena lists Red's interventions before Blue's patches, so a patch acts on
 * the attacked stream. It does not check game ranges (magnitude ≤ 8 is the
 * arena's rule), only what the model can run.
 */

import type { ProbeKit } from "../../directions/types.js";
import { residPost } from "../../lens/hooks.js";
import type { InterventionInput } from "../../lens/interventions.js";
import { SeigeError } from "../../util/errors.js";
import type { TargetIntervention } from "../types.js";

export interface ModelShape {
  nLayers: number;
  nHeads: number;
  dModel: number;
}

function checkLayer(shape: ModelShape, layer: number, what: string): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= shape.nLayers) {
    throw new SeigeError(
      "validation_error",
      `${what}: layer ${layer} is outside [0, ${shape.nLayers})`,
    );
  }
}

function direction(kit: ProbeKit, label: string, layer: number, what: string): number[] {
  if (!kit.library.labels.includes(label)) {
    throw new SeigeError(
      "validation_error",
      `${what}: the direction library has no "${label}"; use one of ${kit.library.labels.join(", ")}`,
    );
  }
  return Array.from(kit.library.direction(label, layer));
}

/** Checks every intervention against the model and the kit; throws `validation_error` naming the first bad one. */
export function validateTargetInterventions(
  interventions: readonly TargetIntervention[],
  shape: ModelShape,
  kit: ProbeKit,
): void {
  resolveInterventions(interventions, shape, kit);
}

/** The lens interventions that run `interventions` on this model, in the same order. */
export function resolveInterventions(
  interventions: readonly TargetIntervention[],
  shape: ModelShape,
  kit: ProbeKit,
): InterventionInput[] {
  const out: InterventionInput[] = [];
  for (const iv of interventions) {
    switch (iv.kind) {
      case "steer": {
        checkLayer(shape, iv.layer, "steer");
        if (!Number.isFinite(iv.magnitude))
          throw new SeigeError("validation_error", "steer: magnitude must be a finite number");
        const d = direction(kit, iv.label, iv.layer, "steer");
        out.push({
          kind: "add",
          hook: residPost(iv.layer),
          vector: d,
          scale: iv.magnitude * kit.library.typicalNorm(iv.layer),
          positions: "all",
        });
        break;
      }
      case "project_out": {
        const [first, last] = iv.layers;
        checkLayer(shape, first, "project_out");
        checkLayer(shape, last, "project_out");
        if (first > last)
          throw new SeigeError(
            "validation_error",
            "project_out: layers must be [first, last] with first ≤ last",
          );
        for (let l = first; l <= last; l++) {
          out.push({
            kind: "project_out",
            hook: residPost(l),
            direction: direction(kit, iv.label, l, "project_out"),
          });
        }
        break;
      }
      case "mean_ablate":
        checkLayer(shape, iv.layer, "mean_ablate");
        out.push({
          kind: "mean_ablate",
          hook: residPost(iv.layer),
          values: Array.from(kit.baseline.mean[iv.layer]),
        });
        break;
      case "head_mask":
        checkLayer(shape, iv.layer, "head_mask");
        if (iv.heads.length === 0)
          throw new SeigeError("validation_error", "head_mask: name at least one head");
        for (const h of iv.heads) {
          if (!Number.isInteger(h) || h < 0 || h >= shape.nHeads) {
            throw new SeigeError(
              "validation_error",
              `head_mask: head ${h} is outside [0, ${shape.nHeads})`,
            );
          }
        }
        out.push({ kind: "head_mask", layer: iv.layer, heads: [...iv.heads] });
        break;
      default:
        throw new SeigeError(
          "validation_error",
          `unknown intervention kind ${(iv as { kind: string }).kind}`,
        );
    }
  }
  return out;
}
