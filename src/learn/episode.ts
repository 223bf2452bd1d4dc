/**
 * Plays one training episode: the learner's role against a fixed opponent
 * policy, two-player over the arena in process (as `playEpisode` does through the
 * env), with both policies seeded from the episode seed as every driver seeds
 * them. Each reward the learner is paid (PettingZoo `last()` convention: a step's
 * rewards belong to the role about to act; at done each role's unpaid
 * components) is credited to the learner's latest recorded decision, so the
 * decisions come back with their own rewards for return-to-go.
 */
import { paidComponents, policySeed } from "../agents/two-player.js";
import type { BluePolicy, Policy, RedPolicy } from "../agents/types.js";
import { Arena } from "../arena/arena.js";
import type { Action, EpisodeSummary, Role, Stage, StepResult } from "../arena/schema.js";
import type { TargetSystem } from "../target/types.js";
import type { PolicyCore, Recorded } from "./policy.js";

export interface PlayedEpisode {
  steps: (Recorded & { reward: number })[];
  return: number;
  components: Record<string, number>;
  summary: EpisodeSummary;
}

/**
 * What a training episode is played on: the arena in process (the default), or
 * anything with the env's reset/step/summary (src/env's SeigeEnv, as the audit
 * trains through the env like any client).
 */
export interface EpisodeGame {
  reset(options: { seed: number; stage: Stage; max_ticks?: number }): Promise<StepResult>;
  step(action: Action): Promise<StepResult>;
  summary(): EpisodeSummary | null;
}

/** The arena in process, as an EpisodeGame: a fresh arena per episode. */
export function arenaGame(target: TargetSystem): EpisodeGame {
  let arena: Arena | null = null;
  const current = () => {
    if (!arena) throw new Error("step before reset");
    return arena;
  };
  return {
    reset: async (o) => {
      arena = new Arena(target);
      const observation = arena.reset(o);
      return { observation, reward: 0, done: observation.done };
    },
    step: (a) => current().step(a),
    summary: () => current().summary(),
  };
}

export async function playTraining(
  game: EpisodeGame,
  role: Role,
  learner: Policy & { core: PolicyCore },
  opponent: Policy,
  seed: number,
  stage: Stage,
  maxTicks?: number,
): Promise<PlayedEpisode> {
  const recorded: Recorded[] = [];
  const rewards: number[] = [];
  learner.core.recorder = recorded;
  learner.reset(policySeed(role, seed));
  opponent.reset(policySeed(opponent.role, seed));
  let result = await game.reset({ seed, stage, ...(maxTicks ? { max_ticks: maxTicks } : {}) });
  let total = 0;
  const components: Record<string, number> = {};
  const credit = () => {
    const paid = paidComponents(result)[role] ?? {};
    for (const [k, v] of Object.entries(paid)) {
      total += v;
      components[k] = (components[k] ?? 0) + v;
      if (rewards.length > 0) rewards[rewards.length - 1] += v;
    }
  };
  try {
    while (!result.done) {
      credit();
      const obs = result.observation;
      const actor = obs.current_agent === role ? learner : opponent;
      const view = obs[obs.current_agent];
      if (!view) throw new Error(`${obs.current_agent}'s turn without its view`);
      // biome-ignore lint/suspicious/noExplicitAny: the view matches the actor's role by current_agent
      const action = (await (actor as RedPolicy | BluePolicy).act(view as any)) as Action;
      while (rewards.length < recorded.length) rewards.push(0);
      result = await game.step(action);
    }
    credit();
  } finally {
    learner.core.recorder = null;
  }
  const summary = game.summary();
  if (!summary) throw new Error("episode ended without a summary");
  return {
    steps: recorded.map((r, i) => ({ ...r, reward: rewards[i] ?? 0 })),
    return: total,
    components,
    summary,
  };
}
