/**
 * Game-level interventions (target/types.ts: a direction *label*, a magnitude in
 * units of the layer's typical norm) resolved against a model's `ProbeKit` into
 * the lens runtime's declarative interventions (lens/interventions.ts), which
 * carry concrete vectors and hook names.
 *
 * Every residual-stream edit acts at `blocks.{layer}.hook_resid_post`, the
 * output of block `layer`: that is the site the direction artifact reads its
 * activations from (src/directions extracts, baselines and probes at
 * resid_post), so a steer of `magnitude × steerUnit(layer)` (the artifact's
 * calibrated refusal flip scale, else the typical norm) is measured in the same
 * units as the library (a label with a learned steering direction in the
 * artifact, `seige precompute --learn-steering`, is steered along that one at
 * the same magnitude), a `project_out` removes exactly the direction
 * the library found there, and a `mean_ablate` writes back the very mean the
 * baseline recorded. GAME.md §5 says "at target_layer"; resid_post makes layer
 * L's edit visible to every block after L and to Blue's probe at L.
 *
 * `project_out` (Red's `repe_belief_flip`, Blue's project_out patch) and
 * `mean_ablate` set components to their *benign means* rather than to zero or to
 * a whole clean vector (GAME.md §5, issue 13): on a trained model harmless
 * prompts sit far on the negative side of `refusal`, so zeroing that component
 * pushes a harmful prompt *towards* refusing, and replacing the whole residual
 * with the clean mean erases what the request says. So `project_out` of d̂ is
 * x ← x − (x·d̂)d̂ + (μ·d̂)d̂, and `mean_ablate` does the same for the span of every
 * direction in the library (orthonormalised): x ← x − P(x − μ). Both compile to
 * the runtime's `project_out` plus one `add`.
 *
 * Order is kept: the runtime applies a hook's interventions in list order, and
 * the arena lists Red's interventions before Blue's patches, so a patch acts on
 * the attacked stream. It does not check game ranges (magnitude ≤ 8 is the
 * arena's rule), only what the model can run.
 */

import { noArtifactError } from "../../directions/kit.js";
import { steeringUnit } from "../../directions/learned-steering.js";
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
  if (kit.library.labels.length === 0) throw noArtifactError();
  if (!kit.library.labels.includes(label)) {
    throw new SeigeError(
      "validation_error",
      `${what}: the direction library has no "${label}"; use one of ${kit.library.labels.join(", ")}`,
    );
  }
  return Array.from(kit.library.direction(label, layer));
}

/**
 * The residual-norm size of 1 steering unit at `layer`: the artifact's calibrated
 * refusal flip scale (GAME.md §5) where it measured one, else the typical norm.
 */
export function steerUnit(kit: ProbeKit, layer: number): number {
  return steeringUnit(kit, layer);
}

/** Gram–Schmidt: an orthonormal basis of the span of `vectors` (near-dependent ones dropped). */
export function orthonormalBasis(vectors: readonly number[][]): number[][] {
  const basis: number[][] = [];
  for (const v of vectors) {
    const w = v.slice();
    for (const q of basis) {
      const c = dotArr(w, q);
      for (let i = 0; i < w.length; i++) w[i] -= c * q[i];
    }
    const n = Math.hypot(...w);
    if (n > 1e-6 * Math.max(1e-12, Math.hypot(...v))) basis.push(w.map((x) => x / n));
  }
  return basis;
}

function dotArr(a: readonly number[] | Float32Array, b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Lens interventions that set the residual's component in span(`dirs`) at `layer`
 * to the clean baseline mean's: project every basis vector out, then add the
 * mean's own projection back (one vector, all positions).
 */
export function setToBenignMean(
  kit: ProbeKit,
  layer: number,
  dirs: readonly number[][],
): InterventionInput[] {
  const basis = orthonormalBasis(dirs);
  const mu = kit.baseline.mean[layer];
  const back = new Array<number>(mu.length).fill(0);
  for (const q of basis) {
    const c = dotArr(mu, q);
    for (let i = 0; i < back.length; i++) back[i] += c * q[i];
  }
  const hook = residPost(layer);
  return [
    ...basis.map((q) => ({ kind: "project_out" as const, hook, direction: q })),
    { kind: "add" as const, hook, vector: back, scale: 1, positions: "all" as const },
  ];
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
        // A learned steering direction, where the artifact has one, else the library's.
        const d = direction(kit, iv.label, iv.layer, "steer");
        const learned = kit.library.learned?.(iv.label, iv.layer);
        out.push({
          kind: "add",
          hook: residPost(iv.layer),
          vector: learned ? Array.from(learned) : d,
          scale: iv.magnitude * steerUnit(kit, iv.layer),
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
          const d = direction(kit, iv.label, l, "project_out");
          out.push(...setToBenignMean(kit, l, [d]));
        }
        break;
      }
      case "mean_ablate": {
        checkLayer(shape, iv.layer, "mean_ablate");
        const dirs = kit.library.labels.map((label) =>
          direction(kit, label, iv.layer, "mean_ablate"),
        );
        out.push(...setToBenignMean(kit, iv.layer, dirs));
        break;
      }
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
