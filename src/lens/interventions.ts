/**
 * Declarative interventions: the JSON form used by `--intervene FILE`, by the
 * lens target backend and by the rest of the project. An intervention list is an
 * array of objects discriminated by `kind` (like pyvene's configs). They are data,
 * so they can be recorded, sent over the wire, compiled into graph inputs and
 * batched per sequence.
 *
 * Semantics (all act on the named hook's activation, [pos, d_model] per sequence):
 * - `add`: x[p] += scale · vector at the chosen positions (default all).
 * - `project_out`: x[p] -= (x[p]·d̂) d̂ with d̂ = direction/‖direction‖, every position.
 * - `replace` / `mean_ablate`: x[p] = values at every position (`mean_ablate`
 *   says the values are a clean mean; the effect is the same).
 * - `head_mask`: zero the chosen heads' `attn.hook_z` at `layer` before W_O.
 * - `capture`: read the hook (reduce over positions: last | mean | all).
 * With a KV cache, prompt positions are intervened once at prefill and each new
 * token at its own decode step; positions are absolute token indices.
 */
import { z } from "zod";

const Vector = z.array(z.number()).min(1);
const HookNameString = z
  .string()
  .min(1)
  .describe("a hook point name, e.g. blocks.3.hook_resid_post");

export const AddSchema = z.strictObject({
  kind: z.literal("add"),
  hook: HookNameString,
  vector: Vector.describe("[d_model]"),
  scale: z.number().default(1),
  positions: z.union([z.literal("all"), z.array(z.number().int().min(0))]).default("all"),
});

export const ProjectOutSchema = z.strictObject({
  kind: z.literal("project_out"),
  hook: HookNameString,
  direction: Vector.describe("[d_model]; normalised before use"),
});

export const ReplaceSchema = z.strictObject({
  kind: z.enum(["replace", "mean_ablate"]),
  hook: HookNameString,
  values: Vector.describe("[d_model]"),
});

export const HeadMaskSchema = z.strictObject({
  kind: z.literal("head_mask"),
  layer: z.number().int().min(0),
  heads: z.array(z.number().int().min(0)).min(1),
});

export const CaptureSchema = z.strictObject({
  kind: z.literal("capture"),
  hook: HookNameString,
  reduce: z.enum(["last", "mean", "all"]).default("last"),
});

export const InterventionSchema = z.union([
  AddSchema,
  ProjectOutSchema,
  ReplaceSchema,
  HeadMaskSchema,
  CaptureSchema,
]);
export const InterventionListSchema = z.array(InterventionSchema);

export type AddIntervention = z.infer<typeof AddSchema>;
export type ProjectOutIntervention = z.infer<typeof ProjectOutSchema>;
export type ReplaceIntervention = z.infer<typeof ReplaceSchema>;
export type HeadMaskIntervention = z.infer<typeof HeadMaskSchema>;
export type CaptureIntervention = z.infer<typeof CaptureSchema>;
export type Intervention = z.infer<typeof InterventionSchema>;
/** The JSON input form, with defaults not yet applied. */
export type InterventionInput = z.input<typeof InterventionSchema>;
