/**
 * Drives one two-player episode with a policy for each role, the way `seige play`,
 * the benchmarks and the skill tests do: reset, then ask whichever role is to act.
 * Policies see only their own role's view.
 */
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { EpisodeSummary, Role } from "../arena/schema.js";
import { hash32 } from "../util/rng.js";
import type { SeigeEnv } from "./env.js";
import type { EnvResetOptions } from "./options.js";

export interface EpisodeOutcome {
  summary: EpisodeSummary;
  /** sum of the rewards each role received over the episode */
  returns: Record<Role, number>;
  steps: number;
}

export async function playEpisode(
  env: SeigeEnv,
  red: RedPolicy,
  blue: BluePolicy,
  options: Omit<EnvResetOptions, "role" | "opponent"> & { seed: number },
): Promise<EpisodeOutcome> {
  red.reset(hash32(`red/${options.seed}`));
  blue.reset(hash32(`blue/${options.seed}`));
  let result = await env.reset({ ...options, opponent: "none" });
  const returns: Record<Role, number> = { red: 0, blue: 0 };
  let steps = 0;
  while (!result.done) {
    const obs = result.observation;
    returns[obs.current_agent] += result.reward;
    const action =
      obs.current_agent === "red" ? await red.act(obs.red!) : await blue.act(obs.blue!);
    result = await env.step(action);
    steps++;
  }
  // At done, each role's unpaid components arrive in final_rewards.
  const final = result.observation.final_rewards;
  for (const role of ["red", "blue"] as const) {
    const components =
      final?.[role] ??
      (result.observation.current_agent === role ? result.observation.rewards : {});
    for (const v of Object.values(components)) returns[role] += v;
  }
  const summary = env.summary();
  if (!summary) throw new Error("episode ended without a summary");
  return { summary, returns, steps };
}
