/**
 * The rollout file format (docs/rollouts.md): JSON Lines, one line per episode
 * played by one policy in one role against a built-in opponent. The zod schema
 * here is the single definition; docs/rollouts.md shows its JSON Schema and
 * `rolloutJsonSchema()` derives that, never written twice.
 *
 * Invariants a reader may rely on (and tests check): `initial_reward` plus the
 * sum of the steps' `reward` equals `return`; the components in `return_components`
 * (initial rewards plus every step's `rewards`, summed by name) also sum to
 * `return`; and `return` equals the role's total in the episode summary.
 * Latencies are wall-clock and so are the one thing that differs between two runs
 * of the same seeds.
 */
import { z } from "zod";
import { ActionSchema, RewardComponentsSchema, ROLES } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";

export const ROLLOUT_VERSION = 1;

export const ObservationBriefSchema = z
  .object({
    tick: z.number().int(),
    error: z.string().nullable().describe("why the action was invalid, if it was"),
    done: z.boolean(),
    truncated: z.boolean(),
    terminal_reason: z.string().nullable(),
    red: z
      .object({
        last_reply: z.string().nullable().describe("the target's latest reply in Red's sessions"),
        tokens_left: z.number().int(),
        target_calls_left: z.number().int(),
      })
      .optional(),
    blue: z
      .object({
        pending: z.number().int().describe("requests waiting for Blue"),
        probe_results: z.number().int(),
        alerts: z.number().int(),
        actions_left_this_tick: z.number().int(),
      })
      .optional(),
  })
  .describe("a summary of the observation that followed the action");

export const RolloutStepSchema = z.object({
  t: z.number().int().describe("0-based index of the trained role's action"),
  action: ActionSchema,
  observation: ObservationBriefSchema,
  reward: z.number().describe("sum of `rewards`"),
  rewards: RewardComponentsSchema.describe("the role's reward components paid after this action"),
  latency_ms: z.object({
    policy: z.number().describe("time the policy took to choose the action"),
    env: z.number().describe("time the env took to step (including the opponent's turn)"),
  }),
});

export const PolicyStatsSchema = z
  .object({
    calls: z.number().int(),
    tool_calls: z.number().int(),
    json_replies: z.number().int(),
    malformed: z.record(z.string(), z.number().int()),
    endpoint_errors: z.number().int(),
    retries: z.number().int(),
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    latency_ms: z.number(),
    last_problem: z.string().nullable(),
  })
  .describe("an LLM policy's call accounting for this episode");

export const RolloutLineSchema = z.strictObject({
  version: z.literal(ROLLOUT_VERSION),
  run_id: z.string(),
  episode_id: z.string().describe("<run_id>/<seed>/<group_index>"),
  seed: z.number().int(),
  group_id: z.string().describe("<run_id>/<seed>: episodes of one group share the seed"),
  group_index: z.number().int().describe("0..group_size-1 within the group"),
  role: z.enum(ROLES),
  policy: z.string().describe("the trained role's policy spec"),
  opponent: z.string().describe("the opponent spec"),
  stage: z.number().int(),
  target: z.object({ backend: z.string(), model: z.string() }),
  initial_reward: z.number().describe("reward paid with the reset observation"),
  steps: z.array(RolloutStepSchema),
  return: z.number().describe("the role's episode return"),
  return_components: RewardComponentsSchema.describe("the return by component"),
  terminal_reason: z.string(),
  terminated: z.boolean(),
  truncated: z.boolean(),
  winner: z.enum(["red", "blue", "none"]),
  ticks: z.number().int(),
  policy_stats: PolicyStatsSchema.nullable(),
  wall_ms: z.number(),
});
export type RolloutLine = z.infer<typeof RolloutLineSchema>;
export type RolloutStep = z.infer<typeof RolloutStepSchema>;
export type ObservationBrief = z.infer<typeof ObservationBriefSchema>;

/** The JSON Schema of one rollout line (for docs and non-TypeScript readers). */
export function rolloutJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RolloutLineSchema, { io: "output" }) as Record<string, unknown>;
}

/** Parses rollout JSONL text, with the 1-based line of the first bad line in the error. */
export function parseRollouts(text: string): RolloutLine[] {
  const out: RolloutLine[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new SeigeError("validation_error", `rollout line ${i + 1} is not JSON`);
    }
    const parsed = RolloutLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SeigeError(
        "validation_error",
        `rollout line ${i + 1}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
      );
    }
    out.push(parsed.data);
  });
  return out;
}
