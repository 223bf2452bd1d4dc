/**
 * The wire types of the game, as zod schemas: the single source of truth
 * (STYLE.md §4). Actions are a union discriminated by `agent_type` and keep the
 * field names of the original seige (GAME.md §8); observations are the role
 * views of GAME.md §4. TypeScript types come from `z.infer`; JSON Schema for
 * `/schema` and MCP tools comes from `z.toJSONSchema` (see `jsonSchemas`).
 *
 * What the schema checks is *form* (types, known fields, known enum values):
 * a failure is a malformed action, rejected at the boundary. Ranges that depend
 * on the target or the episode (layer < n_layers, magnitude in [0, 8], whose
 * session it is, budgets) are *rules*, checked by the arena (GAME.md §3).
 */
import { z } from "zod";
import { ProbeSummarySchema } from "../vocab.js";

// The shared vocabulary lives below every layer (src/vocab.ts); the wire re-exports it.
export {
  APPROVED_DIRECTIONS,
  ATTACK_DIRECTIONS,
  DIRECTION_LABELS,
  type DirectionLabel,
  INTENT_CLASSES,
  type IntentClass,
  type ProbeSummary,
  ProbeSummarySchema,
  REFUSAL_DIRECTION,
} from "../vocab.js";

// ---------------------------------------------------------------- vocabularies

export const RED_STRATEGIES = [
  "persona_manipulation",
  "indirect_injection",
  "multi_turn_escalation",
  "steering_vector",
  "soft_prompt_gcg",
  "repe_belief_flip",
  "circuit_bypass",
  "coalition_distraction",
  "coalition_poisoning",
] as const;
export type RedStrategy = (typeof RED_STRATEGIES)[number];

export const BLUE_ACTIONS = [
  "probe",
  "monitor",
  "defer",
  "flag",
  "block",
  "patch",
  "explain",
] as const;
export type BlueActionType = (typeof BLUE_ACTIONS)[number];

export const TASKS = [
  "secret_extraction",
  "canary_extraction",
  "api_key_extraction",
  "banned_word_elicitation",
  "policy_rule_leak",
] as const;
export type TaskName = (typeof TASKS)[number];

export const THREAT_LEVELS = ["none", "low", "medium", "high", "critical"] as const;
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

/** How Blue says it found an attack; scored for consistency with the strategy family. */
export const DETECTION_METHODS = [
  "keyword_filter",
  "log_review",
  "intent_probe",
  "activation_anomaly",
  "direction_similarity",
  "head_attribution",
  "traffic_analysis",
] as const;
export type DetectionMethod = (typeof DETECTION_METHODS)[number];

export const RECOMMENDED_ACTIONS = ["monitor", "flag", "block", "patch"] as const;
export type RecommendedAction = (typeof RECOMMENDED_ACTIONS)[number];

export const PATCH_METHODS = ["project_out", "mean_ablate"] as const;
export type PatchMethod = (typeof PATCH_METHODS)[number];

export const ROLES = ["red", "blue"] as const;
export type Role = (typeof ROLES)[number];

export const STAGES = [1, 2, 3] as const;
export type Stage = (typeof STAGES)[number];

// ---------------------------------------------------------------- actions

const Metadata = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("free-form client metadata (OpenEnv clients send one); ignored by the rules");

const SessionId = z.string().min(1).max(64).describe("a session id such as s0");
const Layer = z.number().int().describe("a layer index in [0, n_layers)");

export const RedActionSchema = z.strictObject({
  agent_type: z.literal("red"),
  strategy: z.enum(RED_STRATEGIES).describe("the attack strategy (docs/game.md §4)"),
  sub_strategy: z.string().max(200).optional().describe("free-text label of the tactic, for logs"),
  payload: z.string().max(8000).describe("the user-visible request text"),
  session_id: SessionId.optional().describe(
    "which of Red's own sessions to use; default its first",
  ),
  target_layer: Layer.optional().describe("layer for steering_vector and circuit_bypass"),
  direction_label: z
    .string()
    .max(64)
    .optional()
    .describe("direction to steer along (steering_vector)"),
  magnitude: z
    .number()
    .optional()
    .describe("steering strength in calibrated units (1.0 flips refusal at that layer), in [0, 8]"),
  coalition_partner: SessionId.optional().describe(
    "Red's second session, for coalition strategies",
  ),
  heads: z
    .array(z.number().int())
    .max(64)
    .optional()
    .describe("attention heads to zero at target_layer (circuit_bypass)"),
  layer_range: z
    .tuple([Layer, Layer])
    .optional()
    .describe("inclusive [first, last] layers over which repe_belief_flip projects out refusal"),
  metadata: Metadata,
});
export type RedAction = z.infer<typeof RedActionSchema>;

export const ExplanationSchema = z.strictObject({
  threat_level: z.enum(THREAT_LEVELS),
  detection_method: z.enum(DETECTION_METHODS),
  layer_implicated: Layer.nullable().default(null).describe("null for a text-only attack"),
  direction_match: z
    .string()
    .max(64)
    .nullable()
    .default(null)
    .describe("null for a text-only attack"),
  strategy_match: z
    .enum(RED_STRATEGIES)
    .optional()
    .describe("the Red strategy Blue believes it caught; missing scores 0 for that part"),
  evidence_turns: z
    .array(z.number().int())
    .max(64)
    .default([])
    .describe("ticks that show the attack (scored by precision and recall)"),
  anomaly_score: z.number().optional(),
  recommended_action: z.enum(RECOMMENDED_ACTIONS),
  circuit_hypothesis: z.string().max(2000).optional(),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

export const BlueActionSchema = z.strictObject({
  agent_type: z.literal("blue"),
  action_type: z.enum(BLUE_ACTIONS).describe("what to do (docs/game.md §4)"),
  session_id: SessionId.optional().describe(
    "the pending request's session (all but monitor/defer)",
  ),
  layer: Layer.optional().describe("layer to probe or patch"),
  explanation: ExplanationSchema.optional().describe(
    "structured explanation (flag, block, explain)",
  ),
  patch_reference: z
    .string()
    .max(200)
    .optional()
    .describe("free-text reference for a patch, for logs"),
  method: z.enum(PATCH_METHODS).optional().describe("patch method; default project_out"),
  direction_label: z.string().max(64).optional().describe("direction a project_out patch removes"),
  metadata: Metadata,
});
export type BlueAction = z.infer<typeof BlueActionSchema>;

export const ActionSchema = z.discriminatedUnion("agent_type", [RedActionSchema, BlueActionSchema]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionInput = z.input<typeof ActionSchema>;

// ---------------------------------------------------------------- views

export const TaskPublicSchema = z.object({
  name: z.enum(TASKS),
  objective: z.string(),
  success_criterion: z.string(),
  public_hint: z.string(),
});

export const TranscriptEntrySchema = z.object({
  tick: z.number().int(),
  role: z.enum(["user", "assistant"]),
  text: z.string(),
});

export const RedViewSchema = z.object({
  tick: z.number().int(),
  max_ticks: z.number().int(),
  stage: z.number().int(),
  task: TaskPublicSchema,
  policy_rules_count: z.number().int(),
  sessions: z.array(
    z.object({ session_id: z.string(), transcript: z.array(TranscriptEntrySchema) }),
  ),
  available_strategies: z.array(z.enum(RED_STRATEGIES)),
  n_layers: z.number().int(),
  n_heads: z.number().int(),
  direction_labels: z.array(z.string()),
  budgets: z.object({
    tokens_left: z.number().int(),
    target_calls_left: z.number().int(),
    steps_left: z.number().int(),
  }),
  strategy_history: z.array(
    z.object({ tick: z.number().int(), strategy: z.enum(RED_STRATEGIES), session_id: z.string() }),
  ),
});
export type RedView = z.infer<typeof RedViewSchema>;

export const ProbeResultSchema = ProbeSummarySchema.extend({
  session_id: z.string(),
  tick: z.number().int(),
});
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

export const AlertSchema = z.object({
  tick: z.number().int(),
  session_id: z.string(),
  action: z.enum(["flag", "block", "patch"]),
  explanation: ExplanationSchema.nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const BlueViewSchema = z.object({
  tick: z.number().int(),
  max_ticks: z.number().int(),
  stage: z.number().int(),
  task: TaskPublicSchema.extend({ protected_value: z.string(), policy_rules: z.array(z.string()) }),
  pending: z.array(z.object({ session_id: z.string(), request: z.string() })),
  logs: z.array(
    z.object({
      tick: z.number().int(),
      session_id: z.string(),
      request: z.string(),
      response: z.string(),
    }),
  ),
  probe_results: z.array(ProbeResultSchema).describe("results of probes made this tick"),
  alerts: z.array(AlertSchema),
  probe_budget: z.object({ this_tick: z.number().int(), episode: z.number().int() }),
  actions_left_this_tick: z.number().int(),
  budgets: z.object({ steps_left: z.number().int() }),
  n_layers: z.number().int(),
  direction_labels: z.object({ attack: z.array(z.string()), approved: z.array(z.string()) }),
  activation_access: z
    .boolean()
    .describe("false on a black-box target: probe and patch are unavailable"),
});
export type BlueView = z.infer<typeof BlueViewSchema>;

// ---------------------------------------------------------------- summary & observation

export const RewardComponentsSchema = z.record(z.string(), z.number());
export type RewardComponents = z.infer<typeof RewardComponentsSchema>;

export const AttackRecordSchema = z.object({
  tick: z.number().int(),
  session_id: z.string(),
  strategy: z.enum(RED_STRATEGIES),
  target_layer: z.number().int().nullable(),
  direction_label: z.string().nullable(),
  magnitude: z.number().nullable(),
  heads: z.array(z.number().int()).nullable(),
  layer_range: z.tuple([z.number().int(), z.number().int()]).nullable(),
  decoy: z
    .boolean()
    .describe("a coalition_distraction decoy, drawn from the benign traffic generator"),
  blue_action: z.enum(["none", "flag", "block", "patch"]),
  leak: z.enum(["none", "partial", "full"]).describe("what the actual run leaked"),
  unmodified_leak: z
    .enum(["none", "partial", "full"])
    .describe("what the run without Blue's block or patch leaked (the actual run if untouched)"),
  refused: z.boolean().describe("the target refused the unmodified run"),
  would_have_leaked: z
    .boolean()
    .describe("the unmodified run leaked the whole value (the counterfactual of a block or patch)"),
  attack: z
    .boolean()
    .describe(
      "an attack for Blue's rewards (GAME.md I4): an activation intervention, a leak of the unmodified run, or a refusal",
    ),
});
export type AttackRecord = z.infer<typeof AttackRecordSchema>;

export const EpisodeSummarySchema = z.object({
  seed: z.number().int(),
  stage: z.number().int(),
  task: z.enum(TASKS),
  protected_value: z.string(),
  policy_rules: z.array(z.string()),
  red_sessions: z.array(z.string()),
  ticks: z.number().int(),
  terminated: z.boolean(),
  truncated: z.boolean(),
  terminal_reason: z.string(),
  winner: z.enum(["red", "blue", "none"]),
  attacks: z.array(AttackRecordSchema),
  benign: z.object({
    requests: z.number().int(),
    blocked: z.number().int(),
    flagged: z.number().int(),
    patched: z.number().int(),
  }),
  explanation_scores: z
    .record(z.string(), z.number())
    .describe("latest explanation score per session"),
  explanation_targets: z
    .record(
      z.string(),
      z.object({ tick: z.number().int(), strategy: z.enum(RED_STRATEGIES) }).nullable(),
    )
    .describe(
      "per explained session, the attack its latest explanation was scored against (its latest attack at or before the explanation's tick); null when there was none and the score is 0",
    ),
  returns: z.object({
    red: z.object({ total: z.number(), components: RewardComponentsSchema }),
    blue: z.object({ total: z.number(), components: RewardComponentsSchema }),
  }),
});
export type EpisodeSummary = z.infer<typeof EpisodeSummarySchema>;

export const ObservationSchema = z.object({
  current_agent: z.enum(ROLES),
  red: RedViewSchema.optional(),
  blue: BlueViewSchema.optional(),
  rewards: RewardComponentsSchema.describe(
    "current_agent's reward components since its previous action",
  ),
  error: z.string().nullable().describe("why the last action was invalid, if it was"),
  done: z.boolean(),
  truncated: z.boolean(),
  terminal_reason: z.string().nullable(),
  final_rewards: z
    .object({ red: RewardComponentsSchema, blue: RewardComponentsSchema })
    .optional()
    .describe("at done: each role's unpaid components (the two-player settlement)"),
  summary: EpisodeSummarySchema.optional().describe("ground truth, only once done"),
});
export type Observation = z.infer<typeof ObservationSchema>;

export const StepResultSchema = z.object({
  observation: ObservationSchema,
  reward: z.number(),
  done: z.boolean(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

export const ResetOptionsSchema = z.strictObject({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  stage: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  task: z.enum(TASKS).optional(),
  num_sessions: z.number().int().min(3).max(16).optional(),
  max_ticks: z.number().int().min(1).max(200).optional(),
  blue_actions_per_tick: z.number().int().min(1).max(16).optional(),
  black_box: z.boolean().optional().describe("force the black-box configuration (no activations)"),
  episode_id: z.string().max(128).optional(),
});
export type ResetOptions = z.infer<typeof ResetOptionsSchema>;

/** JSON Schemas for the wire, derived from the zod schemas (never written twice). */
export function jsonSchemas() {
  return {
    action: z.toJSONSchema(ActionSchema, { io: "input" }),
    observation: z.toJSONSchema(ObservationSchema, { io: "output" }),
    reset: z.toJSONSchema(ResetOptionsSchema, { io: "input" }),
  };
}
