/**
 * The JSON Schemas the server publishes (`/schema`, `/openapi.json`), all
 * generated from the arena's and env's zod schemas (STYLE.md §4). The only
 * hand-written one is OpenEnv's base `State`, copied from pydantic's output
 * (PROTOCOL.md §1.7): `/schema.state` is always that base schema.
 */
import { z } from "zod";
import { ActionSchema, ObservationSchema } from "../../arena/schema.js";
import { EnvResetOptionsSchema } from "../../env/options.js";

export const BASE_STATE_SCHEMA = {
  additionalProperties: true,
  description:
    "Base class for environment state.\n\nRepresents internal environment state, separate from observations.",
  properties: {
    episode_id: {
      anyOf: [{ type: "string" }, { type: "null" }],
      default: null,
      description: "Unique identifier for the current episode",
      title: "Episode Id",
    },
    step_count: {
      default: 0,
      description: "Number of steps taken in the current episode",
      minimum: 0,
      title: "Step Count",
      type: "integer",
    },
  },
  title: "State",
  type: "object",
};

/** The observation as sent: the arena's, plus the episode id the server adds. */
export const WireObservationSchema = ObservationSchema.extend({
  episode_id: z
    .string()
    .describe(
      "this episode's id (made by the server): pass it to HTTP /step and /state, with the owner token, to continue it",
    ),
});

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io }) as Json;
  return rest;
}

let cache: ReturnType<typeof build> | null = null;

function build() {
  const action = { title: "SeigeAction", ...schema(ActionSchema, "input") };
  const observation = { title: "SeigeObservation", ...schema(WireObservationSchema, "output") };
  const reset = { title: "SeigeResetOptions", ...schema(EnvResetOptionsSchema, "input") };
  return {
    action,
    observation,
    state: BASE_STATE_SCHEMA,
    reset,
    // OpenEnv's envelopes allow extra keys (extra="allow"); reset keys the env does not know are dropped.
    resetRequest: { ...reset, title: "ResetRequest", additionalProperties: true },
    stepRequest: {
      title: "StepRequest",
      type: "object",
      additionalProperties: true,
      properties: {
        action,
        episode_id: {
          type: "string",
          maxLength: 255,
          description:
            "the episode to continue (from /reset's observation); needs 'Authorization: Bearer <owner_token>'",
        },
        timeout_s: { anyOf: [{ type: "number", exclusiveMinimum: 0 }, { type: "null" }] },
        request_id: { anyOf: [{ type: "string", maxLength: 255 }, { type: "null" }] },
      },
      required: ["action", "episode_id"],
    },
    resetResponse: {
      title: "ResetResponse",
      type: "object",
      additionalProperties: false,
      properties: {
        observation,
        reward: { type: ["number", "null"] },
        done: { type: "boolean" },
        owner_token: {
          type: "string",
          description:
            "the credential for this episode: send it as 'Authorization: Bearer <owner_token>' on /step and /state, and on later resets to stay the same owner",
        },
      },
      required: ["observation", "reward", "done", "owner_token"],
    },
    stepResponse: {
      title: "StepResponse",
      type: "object",
      additionalProperties: false,
      properties: { observation, reward: { type: ["number", "null"] }, done: { type: "boolean" } },
      required: ["observation", "reward", "done"],
    },
  };
}

export function wireSchemas() {
  cache ??= build();
  return cache;
}
