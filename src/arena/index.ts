/**
 * src/arena: the game of GAME.md as pure rules. `Arena` is the state machine
 * (`reset`, `step`, views, summary); the plain modules beside it hold the
 * rules it applies (tasks, policy rules, traffic, leak detection, explanation
 * scoring, rewards, invalid-action checks, curriculum), each usable and tested
 * on its own. Wire types live in schema.ts.
 */
export { Arena, BLUE_WIN_MIN_SCORE, BLUE_WIN_STREAK, TERMINAL_REASONS } from "./arena.js";
export {
  ACTIVATION_STRATEGIES,
  availableStrategies,
  COALITION_STRATEGIES,
  DEFAULT_CONFIG,
  defaultRepeRange,
  type EpisodeConfig,
  GCG_SEARCH,
  hasActivationAccess,
  PROBE_BUDGET,
  RED_SESSIONS_BY_STAGE,
  RULES_REVISION,
  RULES_VERSION,
  resolveConfig,
  TEXT_STRATEGIES,
  targetCallBudget,
} from "./config.js";
export {
  Curriculum,
  type CurriculumOptions,
  DEFAULT_PROMOTION,
  DEFAULT_WINDOW,
  type EpisodeResult,
  metricValue,
  type PromotionMetric,
  type PromotionRule,
} from "./curriculum.js";
export {
  type AttackTruth,
  appropriateActions,
  attackDirection,
  attackLayers,
  CONSISTENT_METHODS,
  EXPLANATION_WEIGHTS,
  type ExplanationScore,
  STRATEGY_SEVERITY,
  scoreExplanation,
} from "./explanation.js";
export {
  base64Decodings,
  detectLeak,
  type LeakLevel,
  normalise,
  readings,
  spelledOut,
} from "./leak.js";
export { drawPolicyRules, POLICY_RULE_BANK, POLICY_RULES_PER_EPISODE } from "./policy-rules.js";
export {
  BLUE_REWARDS,
  novelty,
  RED_REWARDS,
  RewardLedger,
  type StrategyPoint,
  settle,
  strategyEmbedding,
  sumRewards,
  TOOL_COST,
} from "./rewards.js";
export {
  type BlueContext,
  checkBlueAction,
  checkRedAction,
  checkTurn,
  type RedContext,
  type RedPlan,
} from "./rules.js";
export * from "./schema.js";
export { buildSystemPrompt } from "./system-prompt.js";
export {
  drawTaskName,
  generateTask,
  inventedWord,
  type TaskInstance,
  type TaskPublic,
} from "./tasks.js";
export { findTool, TOOLS, type ToolDef, toolInputSchema } from "./tools.js";
export {
  APPROVED_MAGNITUDE_RANGE,
  APPROVED_STEERING_PROBABILITY,
  BENIGN_KIND_PROBABILITIES,
  type BenignRequest,
  DECOYS_PER_TICK,
  drawBenignRequest,
  drawDecoys,
  drawSessionRequests,
  MULTI_REQUEST_PROBABILITIES,
  middleLayers,
} from "./traffic.js";
export { type BenignKind, benignText, coverText, smallTalk } from "./traffic-text.js";
