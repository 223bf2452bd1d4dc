/**
 * A policy plays one role: it sees that role's view (never more) and returns one
 * action. Blue acts several times per tick, so a Blue policy is called once per
 * Blue action with the updated view. Policies are seeded by `reset(seed)` at the
 * start of each episode, so the same seed gives the same actions.
 */
import type { BlueAction, BlueView, RedAction, RedView, Role } from "../arena/schema.js";

export interface RedPolicy {
  readonly role: "red";
  readonly name: string;
  reset(seed: number): void;
  act(view: RedView): RedAction | Promise<RedAction>;
}

export interface BluePolicy {
  readonly role: "blue";
  readonly name: string;
  reset(seed: number): void;
  act(view: BlueView): BlueAction | Promise<BlueAction>;
}

export type Policy = RedPolicy | BluePolicy;

export type PolicyFor<R extends Role> = R extends "red" ? RedPolicy : BluePolicy;
