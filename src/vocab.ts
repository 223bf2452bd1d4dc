/**
 * The game's shared vocabulary: direction labels, intent classes and the shape of
 * an activation feature summary (GAME.md §4, §5). It is data used by every layer
 * (target, directions, arena, agents), so it lives below all of them and imports
 * only zod; `arena/schema.ts` re-exports it as part of the wire types.
 */
import { z } from "zod";

/** Labels Red may steer along (GAME.md §5); `refusal` is ablated, not added. */
export const ATTACK_DIRECTIONS = [
  "authority",
  "trust_escalation",
  "compliance",
  "danger",
  "distraction",
] as const;
export const REFUSAL_DIRECTION = "refusal" as const;
/** Operator-approved style directions used in benign traffic from stage 2. */
export const APPROVED_DIRECTIONS = ["formality", "brevity", "positivity"] as const;
/** Every label in a direction library, in a fixed order (probe cosines use it). */
export const DIRECTION_LABELS = [
  ...ATTACK_DIRECTIONS,
  REFUSAL_DIRECTION,
  ...APPROVED_DIRECTIONS,
] as const;
export type DirectionLabel = (typeof DIRECTION_LABELS)[number];

export const INTENT_CLASSES = ["benign", "escalation", "extraction", "distraction"] as const;
export type IntentClass = (typeof INTENT_CLASSES)[number];

export const ProbeSummarySchema = z.object({
  layer: z.number().int(),
  norm: z.number(),
  anomaly_z: z
    .number()
    .describe("z-score of the activation against the clean baseline of that layer"),
  cosines: z
    .record(z.string(), z.number())
    .describe("cosine similarity to every library direction"),
  intent: z.object({
    class: z.enum(INTENT_CLASSES),
    confidence: z.number(),
    probabilities: z.record(z.string(), z.number()),
  }),
});
export type ProbeSummary = z.infer<typeof ProbeSummarySchema>;
