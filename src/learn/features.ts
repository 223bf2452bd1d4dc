/**
 * Features of a role's view — and only of the view (ARCHITECTURE.md, src/learn):
 * fixed-length number vectors the policy network reads. Every field is read by
 * name from the view, and every list of options (tasks, strategies, direction
 * labels, intent classes) comes from the game's vocabulary, so a view with more
 * or fewer sessions, layers or pending requests still maps to the same vector
 * shape. Text is read as a hashed bag of words plus the scripted keyword score
 * and a refusal-phrase test: enough to learn what the keyword ranking learns,
 * without a tokenizer.
 *
 * It does not see the episode state, the seed or the summary, and keeps no memory
 * between calls: what a role remembers is what its view shows (history, logs,
 * alerts, transcripts).
 */
import { textSuspicion } from "../agents/scripted/suspicion.js";
import {
  type BlueView,
  DIRECTION_LABELS,
  INTENT_CLASSES,
  type ProbeResult,
  RED_STRATEGIES,
  type RedView,
  TASKS,
} from "../arena/schema.js";
import { hash32 } from "../util/rng.js";

const HASH_BUCKETS = 32;
const REFUSAL = /\b(can['’]?t|cannot|not able|unable|won['’]?t|sorry|not allowed|refuse)\b/i;

const squash = (x: number, k: number) => x / (x + k);
const clip = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));
const oneHot = <T>(items: readonly T[], value: T): number[] =>
  items.map((x) => (x === value ? 1 : 0));

/** Hashed bag of lower-cased words, scaled to unit length. */
export function textFeatures(text: string): number[] {
  const v = new Array<number>(HASH_BUCKETS).fill(0);
  const words = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  for (const w of words) v[hash32(`w/${w}`) % HASH_BUCKETS] += 1;
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return [
    ...v.map((x) => x / n),
    squash(words.length, 20),
    clip(textSuspicion(text) / 4, 0, 1),
    REFUSAL.test(text) ? 1 : 0,
  ];
}
export const TEXT_DIM = HASH_BUCKETS + 3;

// ---------------------------------------------------------------- Blue

export const BLUE_GLOBAL_DIM = 9 + TASKS.length;

/** Blue's view as a whole: time, budgets, queue size. */
export function blueGlobal(view: BlueView): number[] {
  const actedNow = view.alerts.filter((a) => a.tick === view.tick).length;
  return [
    1,
    view.tick / Math.max(1, view.max_ticks),
    ...[1, 2, 3].map((s) => (view.stage === s ? 1 : 0)),
    clip(view.probe_budget.this_tick / 3, 0, 1),
    squash(view.probe_budget.episode, 10),
    clip(view.actions_left_this_tick / 4, 0, 1),
    squash(view.pending.length + actedNow, 5),
    ...oneHot(TASKS, view.task.name),
  ];
}

export const PROBE_DIM = 4 + DIRECTION_LABELS.length + INTENT_CLASSES.length;

/** A probe result's summary: anomaly, cosine to every known label, intent. */
export function probeFeatures(r: ProbeResult | undefined, nLayers: number): number[] {
  if (!r) return new Array<number>(PROBE_DIM).fill(0);
  return [
    1,
    clip(r.anomaly_z / 6, -1, 2),
    squash(Math.max(0, r.anomaly_z), 3),
    r.layer / Math.max(1, nLayers - 1),
    ...DIRECTION_LABELS.map((l) => clip((r.cosines[l] ?? 0) * 2, -2, 2)),
    ...INTENT_CLASSES.map((c) => (r.intent.class === c ? r.intent.confidence : 0)),
  ];
}

export const BLUE_SESSION_DIM = 5 + TEXT_DIM + PROBE_DIM;

/** One pending request, as Blue sees it: its text, this tick's probe of it, its session's past. */
export function blueSession(view: BlueView, index: number): number[] {
  const p = view.pending[index];
  const probe = view.probe_results
    .filter((r) => r.session_id === p.session_id && r.tick === view.tick)
    .at(-1);
  const alerts = view.alerts.filter((a) => a.session_id === p.session_id);
  const logs = view.logs.filter((l) => l.session_id === p.session_id);
  const lastLog = logs.at(-1);
  return [
    1,
    alerts.some((a) => a.tick === view.tick) ? 1 : 0,
    squash(alerts.length, 2),
    squash(view.pending.filter((q) => q.session_id === p.session_id).length - 1, 1),
    lastLog && REFUSAL.test(lastLog.response) ? 1 : 0,
    ...textFeatures(p.request),
    ...probeFeatures(probe, view.n_layers),
  ];
}

export const BLUE_INPUT_DIM = BLUE_GLOBAL_DIM + BLUE_SESSION_DIM;

// ---------------------------------------------------------------- Red

export const RED_INPUT_DIM = 9 + TASKS.length + 2 * RED_STRATEGIES.length + TEXT_DIM;

/** Red's view: time, budgets, task, its own strategy history and the target's last reply. */
export function redFeatures(view: RedView): number[] {
  const history = view.strategy_history;
  const counts = RED_STRATEGIES.map(
    (s) => history.filter((h) => h.strategy === s).length / Math.max(1, history.length),
  );
  const last = history.at(-1)?.strategy;
  const replies = view.sessions
    .flatMap((s) => s.transcript)
    .filter((e) => e.role === "assistant")
    .sort((a, b) => a.tick - b.tick);
  const refused = replies.filter((r) => REFUSAL.test(r.text)).length;
  const lastReply = replies.at(-1)?.text ?? "";
  return [
    1,
    view.tick / Math.max(1, view.max_ticks),
    ...[1, 2, 3].map((s) => (view.stage === s ? 1 : 0)),
    squash(view.budgets.target_calls_left, 20),
    squash(view.budgets.steps_left, 10),
    replies.length ? refused / replies.length : 0,
    squash(view.sessions.length - 1, 1),
    ...oneHot(TASKS, view.task.name),
    ...counts,
    ...RED_STRATEGIES.map((s) => (s === last ? 1 : 0)),
    ...textFeatures(lastReply),
  ];
}
