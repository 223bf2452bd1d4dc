/**
 * Compiles one sequence's intervention list (the JSON form of interventions.ts)
 * for the runtime: parsed once with the zod schema, checked against the model
 * (intervene.ts `validateInterventions`), with the hooks it touches and its head
 * masks precomputed. The maths of each edit is intervene.ts's, shared with the
 * reference forward, so the two agree by construction.
 *
 * Position semantics (positions are absolute token indices of the sequence):
 * with a KV cache, prompt positions are edited once at prefill and each new token
 * at its own decode step. `add` with `positions: "all"` (and `project_out`,
 * `replace`, `mean_ablate`, which act everywhere) therefore also edits every
 * generated token; an explicit position list only matches the step whose token
 * has that position. Cached and uncached runs agree.
 */
import { SeigeError } from "../../util/errors.js";
import { type HookName, hookShape, parseHookName } from "../hooks.js";
import { headMaskFor, validateInterventions } from "../intervene.js";
import {
  type Intervention,
  type InterventionInput,
  InterventionListSchema,
} from "../interventions.js";
import type { ModelConfig } from "../types.js";

export interface SequencePlan {
  list: Intervention[];
  /** hooks named by any non-head-mask intervention */
  hooks: Set<string>;
  /** true when some intervention changes activations at a hook (not only captures) */
  edits: boolean;
  /** layer → [H] 0/1 multipliers for z */
  headMask: Map<number, Float32Array>;
  /** layers whose attn.hook_z is captured */
  zLayers: Set<number>;
  /**
   * The first block whose keys and values the edits can change (nLayers when none
   * do): an edit at resid_post of block l first reaches block l + 1's; one anywhere
   * inside block l (resid_pre, z, a head mask, attn_out, resid_mid, mlp_out, ple_out)
   * changes block l's output, so block l is run again; one at the embedding, block 0.
   */
  firstEditedBlock: number;
}

export function compilePlan(
  input: readonly (Intervention | InterventionInput)[],
  cfg: ModelConfig,
): SequencePlan {
  const parsed = InterventionListSchema.safeParse(input);
  if (!parsed.success)
    throw new SeigeError("validation_error", `invalid intervention list: ${parsed.error.message}`);
  const list = parsed.data;
  validateInterventions(list, cfg);
  const plan: SequencePlan = {
    list,
    hooks: new Set(),
    edits: false,
    headMask: new Map(),
    zLayers: new Set(),
    firstEditedBlock: cfg.nLayers,
  };
  const edited = (block: number) => {
    plan.firstEditedBlock = Math.min(plan.firstEditedBlock, block);
  };
  for (const iv of list) {
    if (iv.kind === "head_mask") {
      edited(iv.layer);
      continue;
    }
    plan.hooks.add(iv.hook);
    const site = parseHookName(iv.hook as HookName, hookShape(cfg));
    if (site?.kind === "attn_z") plan.zLayers.add(site.layer);
    if (iv.kind === "capture") continue;
    plan.edits = true;
    if (site === null || site.kind === "embed") edited(0);
    else if (site.kind === "block" && site.hook === "hook_resid_post") edited(site.layer + 1);
    else edited(site.layer);
  }
  for (let l = 0; l < cfg.nLayers; l++) {
    const m = headMaskFor(l, cfg.nHeads, list);
    if (m) plan.headMask.set(l, m);
  }
  return plan;
}
