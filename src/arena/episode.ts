/**
 * The state of one episode, as the arena keeps it: sessions with their
 * histories and Red-facing transcripts, the pending queue of the current tick,
 * Red's request records (the hidden truth), Blue's alerts and explanations,
 * budgets, counters and the reward ledger. Plain data plus small helpers that
 * build a `TargetRequest` from a pending request; no rules live here.
 */
import type {
  ChatMessage,
  TargetInfo,
  TargetIntervention,
  TargetRequest,
} from "../target/types.js";
import { Rng } from "../util/rng.js";
import { type EpisodeConfig, hasActivationAccess, RED_SESSIONS_BY_STAGE } from "./config.js";
import { drawPolicyRules } from "./policy-rules.js";
import { RewardLedger, type StrategyPoint } from "./rewards.js";
import type {
  Alert,
  AttackRecord,
  Explanation,
  ProbeResult,
  RedStrategy,
  RewardComponents,
  Role,
} from "./schema.js";
import { buildSystemPrompt } from "./system-prompt.js";
import type { TaskInstance } from "./tasks.js";
import { drawTaskName, generateTask } from "./tasks.js";

export type BlueMark = "flag" | "block" | "patch";

export interface Session {
  id: string;
  red: boolean;
  /** the target-facing history: earlier turns as chat messages */
  history: ChatMessage[];
  /** what Red sees of its own sessions (empty for benign sessions) */
  transcript: { tick: number; role: "user" | "assistant"; text: string }[];
}

export interface PendingRequest {
  id: string;
  session: string;
  tick: number;
  /** the user-visible request text (what Blue's queue and logs show) */
  text: string;
  /** the new turn as sent to the target */
  message: ChatMessage;
  /** Red's interventions, or a benign request's approved steering */
  interventions: TargetIntervention[];
  /** Blue's patches, applied after `interventions` */
  patches: TargetIntervention[];
  marks: Set<BlueMark>;
  seed: number;
  /** index into `records` for Red's requests; null for benign traffic */
  record: number | null;
}

export interface RedRecord extends AttackRecord {
  /** false until the request's tick has run */
  executed: boolean;
  /** the request carried an activation intervention (steer, ablation, head mask) */
  intervened: boolean;
}

export interface LogEntry {
  tick: number;
  session_id: string;
  request: string;
  response: string;
  sampled: boolean;
}

export interface EpisodeState {
  config: EpisodeConfig;
  rng: Rng;
  task: TaskInstance;
  rules: string[];
  systemPrompt: string;
  sessions: Session[];
  redSessions: string[];
  activationAccess: boolean;
  tick: number;
  phase: Role;
  stepCount: number;
  pending: PendingRequest[];
  records: RedRecord[];
  strategyHistory: { tick: number; strategy: RedStrategy; session_id: string }[];
  strategyPoints: StrategyPoint[];
  /** every text Red has sent, for leak detection's "not in Red's own request" */
  redTexts: string[];
  logs: LogEntry[];
  probeResults: ProbeResult[];
  alerts: Alert[];
  explanations: Map<string, { explanation: Explanation; tick: number }>;
  actedSessions: Set<string>;
  blueActionsThisTick: number;
  probesThisTick: number;
  probesUsed: number;
  blueSteps: number;
  redSteps: number;
  tokensUsed: number;
  targetCallsUsed: number;
  invalid: Record<Role, number>;
  /** consecutive Red attack requests blocked with an explanation scoring >= 0.5 */
  blockStreak: number;
  benign: { requests: number; flag: number; block: number; patch: number };
  ledger: RewardLedger;
  gcgCache: Map<string, string>;
  done: boolean;
  terminated: boolean;
  truncated: boolean;
  terminalReason: string | null;
  winner: "red" | "blue" | "none";
  finalRewards: Record<Role, RewardComponents> | null;
  explanationScores: Record<string, number>;
  /** per explained session, the attack its explanation was scored against (null: none) */
  explanationTargets: Record<string, { tick: number; strategy: RedStrategy } | null>;
}

/** block > patch > flag: the strongest of Blue's marks on a request decides what runs. */
export function strongestMark(marks: ReadonlySet<BlueMark>): BlueMark | "none" {
  if (marks.has("block")) return "block";
  if (marks.has("patch")) return "patch";
  if (marks.has("flag")) return "flag";
  return "none";
}

export function sessionOf(state: EpisodeState, id: string): Session {
  const s = state.sessions.find((x) => x.id === id);
  if (!s) throw new Error(`unknown session ${id}`);
  return s;
}

/** The request as the target sees it; `withPatches` false gives the counterfactual. */
export function buildRequest(
  state: EpisodeState,
  p: PendingRequest,
  withPatches: boolean,
  id: string = p.id,
): TargetRequest {
  return {
    id,
    messages: [
      { role: "system", content: state.systemPrompt },
      ...sessionOf(state, p.session).history,
      p.message,
    ],
    interventions: withPatches ? [...p.interventions, ...p.patches] : [...p.interventions],
    seed: p.seed,
    guarded: state.task.protectedValue,
  };
}

/** A fresh episode: every random choice of the setup drawn from child streams of the seed. */
export function newEpisode(config: EpisodeConfig, info: TargetInfo): EpisodeState {
  const rng = new Rng(`seige/${config.seed}`);
  const taskName = config.task ?? drawTaskName(rng.child("task-name"));
  const task = generateTask(taskName, rng.child("task"));
  const rules = drawPolicyRules(rng.child("rules"));
  const ids = Array.from({ length: config.num_sessions }, (_, i) => `s${i}`);
  const redSessions = rng
    .child("sessions")
    .sample(ids, RED_SESSIONS_BY_STAGE[config.stage])
    .sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
  return {
    config,
    rng,
    task,
    rules,
    systemPrompt: buildSystemPrompt(task, rules),
    sessions: ids.map((id) => ({
      id,
      red: redSessions.includes(id),
      history: [],
      transcript: [],
    })),
    redSessions,
    activationAccess: hasActivationAccess(info, config),
    tick: 0,
    phase: "red",
    stepCount: 0,
    pending: [],
    records: [],
    strategyHistory: [],
    strategyPoints: [],
    redTexts: [],
    logs: [],
    probeResults: [],
    alerts: [],
    explanations: new Map(),
    actedSessions: new Set(),
    blueActionsThisTick: 0,
    probesThisTick: 0,
    probesUsed: 0,
    blueSteps: 0,
    redSteps: 0,
    tokensUsed: 0,
    targetCallsUsed: 0,
    invalid: { red: 0, blue: 0 },
    blockStreak: 0,
    benign: { requests: 0, flag: 0, block: 0, patch: 0 },
    ledger: new RewardLedger(),
    gcgCache: new Map(),
    done: false,
    terminated: false,
    truncated: false,
    terminalReason: null,
    winner: "none",
    finalRewards: null,
    explanationScores: {},
    explanationTargets: {},
  };
}
