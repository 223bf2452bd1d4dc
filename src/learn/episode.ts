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

export async function playTraining(
  target: TargetSystem,
  role: Role,
  learner: Policy & { core: PolicyCore },
  opponent: Policy,
  seed: number,
  stage: Stage,
  maxTicks?: number,
): Promise<PlayedEpisode> {
  const arena = new Arena(target);
  const recorded: Recorded[] = [];
  const rewards: number[] = [];
  learner.core.recorder = recorded;
  learner.reset(policySeed(role, seed));
  opponent.reset(policySeed(opponent.role, seed));
  const observation = arena.reset({ seed, stage, ...(maxTicks ? { max_ticks: maxTicks } : {}) });
  let result: StepResult = { observation, reward: 0, done: observation.done };
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
      result = await arena.step(action);
    }
    credit();
  } finally {
    learner.core.recorder = null;
  }
  const summary = arena.summary();
  if (!summary) throw new Error("episode ended without a summary");
  return {
    steps: recorded.map((r, i) => ({ ...r, reward: rewards[i] ?? 0 })),
    return: total,
    components,
    summary,
  };
}
