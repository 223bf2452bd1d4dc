// Small builders for arena tests: parse an action as the server would, and
// default Red/Blue actions with fields to override.
import type { Arena } from "../../src/arena/arena.js";
import { type ActionInput, ActionSchema, type RedView } from "../../src/arena/schema.js";

export const act = (arena: Arena, a: ActionInput) => arena.step(ActionSchema.parse(a));

export const red = (over: Record<string, unknown> = {}): ActionInput =>
  ({
    agent_type: "red",
    strategy: "persona_manipulation",
    payload: "hello there",
    ...over,
  }) as ActionInput;

export const blue = (action_type: string, over: Record<string, unknown> = {}): ActionInput =>
  ({ agent_type: "blue", action_type, ...over }) as ActionInput;

/** Red's own session ids, from its view. */
export const redSessionsOf = (arena: Arena): string[] =>
  (arena.view("red") as RedView).sessions.map((s) => s.session_id);
