/**
 * The built-in learner behind `seige train` (ARCHITECTURE.md, src/learn): learned
 * policies over features of a role's view, their checkpoints, and the
 * policy-gradient update. `policyFromSpec` is how the layers above accept
 * `learned:DIR` wherever they accept a policy name.
 */
import { resolvePolicy } from "../agents/index.js";
import type { Policy, PolicyFor } from "../agents/types.js";
import type { Role } from "../arena/schema.js";
import { learnedPolicy } from "./checkpoint.js";

export { LearnedBlue } from "./blue-policy.js";
export {
  CHECKPOINT_FILE,
  type Checkpoint,
  learnedPath,
  learnedPolicy,
  parseLearnedSpec,
  readCheckpoint,
  saveCheckpoint,
} from "./checkpoint.js";
export { arenaGame, type EpisodeGame } from "./episode.js";
export { netOf } from "./from-checkpoint.js";
export { LearnedRed } from "./red-policy.js";
export { type TrainOptions, train, trainSeed, type UpdateMetrics } from "./train.js";

export const isLearnedSpec = (spec: string): boolean => spec.startsWith("learned:");

/** `learned:DIR[?sample=1]`, or whatever src/agents resolves (scripted names, llm:). */
export function policyFromSpec<R extends Role>(role: R, spec: string): PolicyFor<R> {
  if (isLearnedSpec(spec)) return learnedPolicy(role, spec) as Policy as PolicyFor<R>;
  return resolvePolicy(role, spec);
}
