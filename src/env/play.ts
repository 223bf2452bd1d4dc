/**
 * Drives one two-player episode with a policy for each role, the way `seige play`,
 * the benchmarks and the skill tests do: reset, then ask whichever role is to act.
 * Policies see only their own role's view. Seeding and the return tally live in
 * `TwoPlayerEpisode` (src/agents), which the web page shares, so both give the
 * same returns for the same seed and policies.
 */
import { TwoPlayerEpisode } from "../agents/two-player.js";
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { EpisodeSummary, Role } from "../arena/schema.js";
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
  const episode = new TwoPlayerEpisode(red, blue, options.seed);
  let result = await env.reset({ ...options, opponent: "none" });
  let steps = 0;
  while (!result.done) {
    result = await env.step(await episode.act(result));
    steps++;
  }
  const returns = episode.settle(result);
  const summary = env.summary();
  if (!summary) throw new Error("episode ended without a summary");
  return { summary, returns, steps };
}
