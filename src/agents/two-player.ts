/**
 * One two-player episode as its driver sees it: seed both policies from the
 * episode seed, ask whichever role is to act, and tally each role's return the
 * way PettingZoo's `last()` pays it (a step's rewards belong to the role about to
 * act; at done each role's unpaid components arrive in `final_rewards`).
 * `playEpisode` (src/env) and the web page both drive episodes through this, so
 * the page reproduces `seige play` for the same seed and policies. It does no
 * I/O: the caller sends each action to an env, in process or over `/ws`.
 */
import type { Action, Observation, RewardComponents, Role } from "../arena/schema.js";
import { hash32 } from "../util/rng.js";
import type { BluePolicy, RedPolicy } from "./types.js";

/** The per-role seed a policy is reset with for episode `seed`. */
export const policySeed = (role: Role, seed: number): number => hash32(`${role}/${seed}`);

/** The part of a step result the driver reads (an env's StepResult or a wire StepReply). */
export interface DriverResult {
  observation: Observation;
  reward: number;
  done: boolean;
}

/**
 * The reward components `result` pays, by role: before done, its rewards go to
 * the role about to act; at done, each role gets its unpaid `final_rewards`.
 * Summed over an episode they give the same returns as `TwoPlayerEpisode`.
 */
export function paidComponents(result: DriverResult): Partial<Record<Role, RewardComponents>> {
  const obs = result.observation;
  if (!result.done) return { [obs.current_agent]: obs.rewards };
  const paid: Partial<Record<Role, RewardComponents>> = {};
  for (const role of ["red", "blue"] as const) {
    paid[role] = obs.final_rewards?.[role] ?? (obs.current_agent === role ? obs.rewards : {});
  }
  return paid;
}

export class TwoPlayerEpisode {
  /** the sum of the rewards each role received so far */
  readonly returns: Record<Role, number> = { red: 0, blue: 0 };

  constructor(
    readonly red: RedPolicy,
    readonly blue: BluePolicy,
    seed: number,
  ) {
    red.reset(policySeed("red", seed));
    blue.reset(policySeed("blue", seed));
  }

  /** Credits `result`'s reward to the role about to act and returns that role's action. */
  async act(result: DriverResult): Promise<Action> {
    const obs = result.observation;
    if (result.done) throw new Error("the episode is done: call settle, not act");
    this.returns[obs.current_agent] += result.reward;
    if (obs.current_agent === "red") {
      if (!obs.red) throw new Error("red's turn without red's view");
      return this.red.act(obs.red);
    }
    if (!obs.blue) throw new Error("blue's turn without blue's view");
    return this.blue.act(obs.blue);
  }

  /** At done: credits each role's unpaid components and returns the final returns. */
  settle(result: DriverResult): Record<Role, number> {
    const paid = paidComponents(result);
    for (const role of ["red", "blue"] as const) {
      for (const v of Object.values(paid[role] ?? {})) this.returns[role] += v;
    }
    return this.returns;
  }
}
