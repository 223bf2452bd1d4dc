/**
 * The role views of GAME.md §4, built from the episode state, and the episode
 * summary revealed at done. This is the one place that decides what each role
 * sees, so the "no free information" rule is checked here: Red's view holds
 * only its own sessions, its own history and public task text; Blue's view
 * holds the pending queue as (session id, text) pairs, sampled and delayed logs,
 * its own probes and alerts, and never whose sessions are Red's or any attack
 * parameter. Views are fresh objects (no shared references into anything
 * writable): log rows and transcript entries are frozen and shared from step
 * to step, lists are fresh arrays. Lists that grow with the episode show their
 * most recent `VIEW_BUDGET` entries (docs/game.md, "Views"), so an observation's
 * size is bounded however long the episode.
 */
import type { TargetInfo } from "../target/types.js";
import { availableStrategies, PROBE_BUDGET, targetCallBudget } from "./config.js";
import type { EpisodeState } from "./episode.js";
import type { BlueView, EpisodeSummary, RedView } from "./schema.js";
import { APPROVED_DIRECTIONS, ATTACK_DIRECTIONS, REFUSAL_DIRECTION } from "./schema.js";

/**
 * How many of their latest entries the growing lists of a view show. Each is
 * at least what the default episode can reach (12 ticks; 6 sessions of at most
 * 3 requests a tick plus 2 decoys: 240 log rows, 120 transcript entries per Red
 * session; 4 Blue actions a tick: 48 alerts; 12 strategy entries), so a default
 * episode's views show everything and its recordings are unchanged; longer or
 * wider episodes show their latest entries.
 */
export const VIEW_BUDGET = { logs: 256, alerts: 64, transcript: 128, strategyHistory: 64 } as const;

/** The last `n` items (all of them when there are fewer): a fresh array. */
const latest = <T>(items: readonly T[], n: number): T[] =>
  items.length > n ? items.slice(items.length - n) : items.slice();

export function redView(state: EpisodeState, info: TargetInfo): RedView {
  const c = state.config;
  return {
    tick: state.tick,
    max_ticks: c.max_ticks,
    stage: c.stage,
    task: { ...state.task.public },
    policy_rules_count: state.rules.length,
    sessions: state.redSessions.map((id) => ({
      session_id: id,
      // Entries are frozen when made (execute.ts): shared, not copied.
      transcript: latest(
        state.sessions.find((s) => s.id === id)!.transcript,
        VIEW_BUDGET.transcript,
      ),
    })),
    available_strategies: availableStrategies(c.stage, state.activationAccess),
    n_layers: info.nLayers,
    n_heads: info.nHeads,
    direction_labels: state.activationAccess ? [...ATTACK_DIRECTIONS, REFUSAL_DIRECTION] : [],
    budgets: {
      tokens_left: Math.max(0, c.red_token_budget - state.tokensUsed),
      target_calls_left: Math.max(0, targetCallBudget(c.max_ticks) - state.targetCallsUsed),
      steps_left: Math.max(0, c.max_ticks - state.redSteps),
    },
    strategy_history: latest(state.strategyHistory, VIEW_BUDGET.strategyHistory).map((h) => ({
      ...h,
    })),
  };
}

export function probesLeft(state: EpisodeState): { thisTick: number; episode: number } {
  if (!state.activationAccess) return { thisTick: 0, episode: 0 };
  const b = PROBE_BUDGET[state.config.stage];
  const episode = Math.max(0, b.perEpisode - state.probesUsed);
  return { thisTick: Math.min(episode, Math.max(0, b.perTick - state.probesThisTick)), episode };
}

export function blueStepsLeft(state: EpisodeState): number {
  return Math.max(0, state.config.max_ticks * state.config.blue_actions_per_tick - state.blueSteps);
}

export function blueView(state: EpisodeState, info: TargetInfo): BlueView {
  const c = state.config;
  const probes = probesLeft(state);
  return {
    tick: state.tick,
    max_ticks: c.max_ticks,
    stage: c.stage,
    task: {
      ...state.task.public,
      protected_value: state.task.protectedValue,
      policy_rules: [...state.rules],
    },
    pending:
      state.phase === "blue"
        ? state.pending.map((p) => ({ session_id: p.session, request: p.text }))
        : [],
    logs: visibleLogs(state),
    probe_results: state.probeResults.map((r) => ({ ...r })),
    alerts: latest(state.alerts, VIEW_BUDGET.alerts).map((a) => ({ ...a })),
    probe_budget: { this_tick: probes.thisTick, episode: probes.episode },
    actions_left_this_tick: Math.max(0, c.blue_actions_per_tick - state.blueActionsThisTick),
    budgets: { steps_left: blueStepsLeft(state) },
    n_layers: info.nLayers,
    direction_labels: {
      attack: [...ATTACK_DIRECTIONS, REFUSAL_DIRECTION],
      approved: [...APPROVED_DIRECTIONS],
    },
    activation_access: state.activationAccess,
  };
}

/** Blue's visible log rows so far, per state, and how many of `state.logs` they cover. */
const LOG_VIEWS = new WeakMap<EpisodeState, { seen: number; rows: BlueView["logs"] }>();

/**
 * The sampled logs old enough to show (latency_ticks), the latest
 * `VIEW_BUDGET.logs` of them. Built incrementally (issue 16): logs are appended
 * in tick order and an entry, once old enough, stays so, so each call looks
 * only at entries it has not yet shown. Rows are frozen, so sharing them
 * between successive views shares nothing writable; the array is fresh.
 */
function visibleLogs(state: EpisodeState): BlueView["logs"] {
  let cached = LOG_VIEWS.get(state);
  if (cached === undefined) {
    cached = { seen: 0, rows: [] };
    LOG_VIEWS.set(state, cached);
  }
  const { logs } = state;
  const latency = state.config.latency_ticks;
  while (cached.seen < logs.length && state.tick - logs[cached.seen].tick >= latency) {
    const l = logs[cached.seen++];
    if (l.sampled)
      cached.rows.push(
        Object.freeze({
          tick: l.tick,
          session_id: l.session_id,
          request: l.request,
          response: l.response,
        }),
      );
  }
  return latest(cached.rows, VIEW_BUDGET.logs);
}

/** Ground truth and both returns; only meaningful once the episode is done. */
export function buildSummary(state: EpisodeState): EpisodeSummary {
  return {
    seed: state.config.seed,
    stage: state.config.stage,
    task: state.task.public.name,
    protected_value: state.task.protectedValue,
    policy_rules: [...state.rules],
    red_sessions: [...state.redSessions],
    ticks: state.tick,
    terminated: state.terminated,
    truncated: state.truncated,
    terminal_reason: state.terminalReason ?? "",
    winner: state.winner,
    attacks: state.records.map(({ executed: _e, intervened: _i, ...r }) => ({ ...r })),
    benign: {
      requests: state.benign.requests,
      blocked: state.benign.block,
      flagged: state.benign.flag,
      patched: state.benign.patch,
    },
    explanation_scores: { ...state.explanationScores },
    explanation_targets: Object.fromEntries(
      Object.entries(state.explanationTargets).map(([k, v]) => [k, v && { ...v }]),
    ),
    returns: { red: state.ledger.returns("red"), blue: state.ledger.returns("blue") },
  };
}
