/**
 * `seige rollout` as a function: episodes of one policy in one role against a
 * built-in opponent, over seeds × group members, each turned into one rollout
 * line (schema.ts). A group is the G episodes of one seed, as GRPO groups them:
 * they share the episode (task, value, traffic, opponent seed) and differ only by
 * the policy's own sampling seed, so the spread of returns within a group is the
 * policy's. Episodes run in process over one shared target, `concurrency` at a
 * time, each worker with its own env and its own policy instance.
 *
 * It writes nothing itself: lines go to `onLine` in seed/group order.
 */
import { resolvePolicy } from "../agents/index.js";
import { type LlmOptions, type LlmPolicy, llmPolicy } from "../agents/llm/index.js";
import { policySeed } from "../agents/two-player.js";
import type { Policy } from "../agents/types.js";
import type { Observation, RewardComponents, Role, Stage, StepResult } from "../arena/schema.js";
import { type OpponentConfig, opponentConfigFromEnv, SeigeEnv } from "../env/index.js";
import { isLearnedSpec, learnedPolicy } from "../learn/index.js";
import type { TargetSystem } from "../target/types.js";
import { SeigeError } from "../util/errors.js";
import { hash32 } from "../util/rng.js";
import { runPool } from "./pool.js";
import {
  type ObservationBrief,
  ROLLOUT_VERSION,
  type RolloutLine,
  type RolloutStep,
} from "./schema.js";

export interface RolloutOptions {
  role: Role;
  /** the trained role's policy spec (scripted name, `scripted:<name>` or `llm:<url>#<model>`) */
  policy: string;
  /** the other role's built-in opponent spec (not "none") */
  opponent: string;
  seeds: readonly number[];
  groupSize: number;
  stage: Stage;
  /** the episode length (reset option max_ticks); default the stage's */
  maxTicks?: number;
  runId: string;
  target: TargetSystem;
  /** episodes in flight at once (default 1) */
  concurrency?: number;
  opponents?: OpponentConfig;
  /** applied to an `llm:` policy (e.g. `{ tools: false }` for --no-tools) */
  llm?: Partial<LlmOptions>;
  onLine?: (line: RolloutLine) => void | Promise<void>;
}

/** Builds a policy from a spec, applying LLM overrides to `llm:` specs; `learned:DIR` loads a checkpoint. */
export function makePolicy(role: Role, spec: string, llm: Partial<LlmOptions> = {}): Policy {
  if (isLearnedSpec(spec)) return learnedPolicy(role, spec);
  return spec.startsWith("llm:") ? llmPolicy(role, spec, llm) : resolvePolicy(role, spec);
}

/** The sampling seed of group member `index` of episode `seed`: member 0 plays as `seige play` would. */
export const memberSeed = (role: Role, seed: number, index: number): number =>
  index === 0 ? policySeed(role, seed) : hash32(`${policySeed(role, seed)}/member/${index}`);

const cut = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function briefObservation(obs: Observation, role: Role): ObservationBrief {
  const brief: ObservationBrief = {
    tick: (obs.red ?? obs.blue)?.tick ?? obs.summary?.ticks ?? 0,
    error: obs.error,
    done: obs.done,
    truncated: obs.truncated,
    terminal_reason: obs.terminal_reason,
  };
  if (role === "red" && obs.red) {
    const replies = obs.red.sessions
      .flatMap((s) => s.transcript)
      .filter((e) => e.role === "assistant")
      .sort((a, b) => a.tick - b.tick);
    const last = replies.at(-1);
    brief.red = {
      last_reply: last ? cut(last.text) : null,
      tokens_left: obs.red.budgets.tokens_left,
      target_calls_left: obs.red.budgets.target_calls_left,
    };
  }
  if (role === "blue" && obs.blue) {
    brief.blue = {
      pending: obs.blue.pending.length,
      probe_results: obs.blue.probe_results.length,
      alerts: obs.blue.alerts.length,
      actions_left_this_tick: obs.blue.actions_left_this_tick,
    };
  }
  return brief;
}

function addInto(total: RewardComponents, add: RewardComponents): void {
  for (const [k, v] of Object.entries(add)) total[k] = (total[k] ?? 0) + v;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Plays one episode of `policy` (already reset) and returns its rollout line. */
export async function rolloutEpisode(
  env: SeigeEnv,
  policy: Policy,
  o: Pick<
    RolloutOptions,
    "role" | "policy" | "opponent" | "stage" | "maxTicks" | "runId" | "target"
  >,
  seed: number,
  groupIndex: number,
): Promise<RolloutLine> {
  const started = performance.now();
  let result: StepResult = await env.reset({
    seed,
    stage: o.stage,
    ...(o.maxTicks !== undefined ? { max_ticks: o.maxTicks } : {}),
    role: o.role,
    opponent: o.opponent,
  });
  const initialReward = result.reward;
  const components: RewardComponents = { ...result.observation.rewards };
  let total = initialReward;
  const steps: RolloutStep[] = [];
  while (!result.done) {
    const view = result.observation[o.role];
    if (!view) throw new Error(`the env gave ${o.role} a turn without its view`);
    const t0 = performance.now();
    // biome-ignore lint/suspicious/noExplicitAny: policy and view share the role by construction
    const action = await (policy as any).act(view);
    const t1 = performance.now();
    result = await env.step(action);
    const t2 = performance.now();
    total += result.reward;
    addInto(components, result.observation.rewards);
    steps.push({
      t: steps.length,
      action,
      observation: briefObservation(result.observation, o.role),
      reward: result.reward,
      rewards: result.observation.rewards,
      latency_ms: { policy: round6(t1 - t0), env: round6(t2 - t1) },
    });
  }
  const summary = env.summary();
  if (!summary) throw new Error("episode ended without a summary");
  const stats = (policy as Partial<LlmPolicy>).stats;
  return {
    version: ROLLOUT_VERSION,
    run_id: o.runId,
    episode_id: `${o.runId}/${seed}/${groupIndex}`,
    seed,
    group_id: `${o.runId}/${seed}`,
    group_index: groupIndex,
    role: o.role,
    policy: o.policy,
    opponent: o.opponent,
    stage: o.stage,
    target: { backend: o.target.info.backend, model: o.target.info.modelId },
    initial_reward: initialReward,
    steps,
    return: round6(total),
    return_components: Object.fromEntries(
      Object.entries(components).map(([k, v]) => [k, round6(v)]),
    ),
    terminal_reason: summary.terminal_reason,
    terminated: summary.terminated,
    truncated: summary.truncated,
    winner: summary.winner,
    ticks: summary.ticks,
    policy_stats: stats ? structuredClone(stats) : null,
    wall_ms: round6(performance.now() - started),
  };
}

/** Plays every seed × group member and hands each line to `onLine`, in order. */
export async function runRollouts(o: RolloutOptions): Promise<RolloutLine[]> {
  if (o.opponent === "none") {
    throw new SeigeError(
      "validation_error",
      "a rollout needs an opponent for the other role, e.g. --opponent scripted:probe-threshold",
    );
  }
  if (!Number.isInteger(o.groupSize) || o.groupSize < 1)
    throw new SeigeError("validation_error", "group size must be a positive integer");
  const jobs = o.seeds.flatMap((seed) =>
    Array.from({ length: o.groupSize }, (_, index) => ({ seed, index })),
  );
  // Fail on a bad spec before any episode runs.
  makePolicy(o.role, o.policy, o.llm);
  const config = o.opponents ?? opponentConfigFromEnv();
  return runPool(
    jobs,
    o.concurrency ?? 1,
    () => new SeigeEnv(o.target, {}, config),
    async (env, job) => {
      // A fresh policy per episode: an LLM policy's stats then describe this episode only.
      const policy = makePolicy(o.role, o.policy, o.llm);
      policy.reset(memberSeed(o.role, job.seed, job.index));
      return rolloutEpisode(env, policy, o, job.seed, job.index);
    },
    (line) => o.onLine?.(line),
  );
}
