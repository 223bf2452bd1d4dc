/**
 * The wire types a client sees (PROTOCOL.md §2.3), named from the arena's zod
 * types so they never drift. Type-only imports: nothing here runs, so the
 * client stays browser-safe.
 */
import type { ActionInput, Observation } from "../arena/schema.js";

export type { ActionInput } from "../arena/schema.js";

/** The observation as served: the arena's, plus the episode id. */
export type WireObservation = Observation & { episode_id: string };

export interface StepReply {
  observation: WireObservation;
  reward: number;
  done: boolean;
}

/** Reset options (EnvResetOptionsSchema); unknown keys are dropped by the server. */
export interface ResetOptions {
  seed?: number;
  stage?: 1 | 2 | 3;
  task?: string;
  num_sessions?: number;
  max_ticks?: number;
  blue_actions_per_tick?: number;
  black_box?: boolean;
  episode_id?: string;
  role?: "red" | "blue";
  opponent?: string;
  [key: string]: unknown;
}

export type StateReply = { episode_id: string | null; step_count: number } & Record<
  string,
  unknown
>;

export interface ToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  input_schema?: Record<string, unknown>;
}

export interface ToolCallResult<T = unknown> {
  content: { type: string; text: string }[];
  data: T;
  is_error: boolean;
}

export type ClientAction = ActionInput;
