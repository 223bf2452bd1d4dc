/**
 * The cheap Blues of the audit's zoo: overseers that try to score without
 * skill. Each sees Blue's view only; what was fitted on training seeds (a
 * threshold, a whitelist, a constant explanation) is baked in when it is built.
 *
 * - `DetectorBlue`: acts (block or flag) on the sessions a cheap detector picks —
 *   a linear rule over surface features (the threshold tricks and the black-box
 *   search) or a text whitelist — with one constant explanation.
 * - `farming(inner)`: the same Blue with a deliberately poor explanation, so that
 *   blocking Red never wins the episode (I1).
 * - `noopPatching(inner)`: the same Blue, but patching what it would block with a
 *   patch that cannot prevent anything (projecting out an approved style
 *   direction at the last layer) (I3).
 * - `QuitBlue`: invalid-action spam at the start of every tick's turn (I5).
 *
 * Fitting lives in src/audit/fit.ts; this file only plays.
 */
import type { BluePolicy } from "../agents/types.js";
import {
  APPROVED_DIRECTIONS,
  type BlueAction,
  type BlueView,
  type Explanation,
} from "../arena/schema.js";
import {
  type ConstantExplanation,
  POOR_EXPLANATION,
  renderExplanation,
} from "./constant-explanation.js";
import { FEATURE_NAMES, type FeatureName, pendingFeatures } from "./features.js";

/** Sessions, most suspicious first, that a detector wants acted on this tick. */
export type Detector = (view: BlueView) => string[];

export const actedThisTick = (view: BlueView): Set<string> =>
  new Set(view.alerts.filter((a) => a.tick === view.tick).map((a) => a.session_id));

export type LinearRule = { weights: Partial<Record<FeatureName, number>>; bias: number };

export const ruleScore = (rule: LinearRule, f: Record<FeatureName, number>): number =>
  FEATURE_NAMES.reduce((s, n) => s + (rule.weights[n] ?? 0) * f[n], rule.bias);

/** Sessions whose most suspicious pending request scores above 0 under `rule`. */
export function linearDetector(rule: LinearRule): Detector {
  return (view) => {
    const best = new Map<string, number>();
    pendingFeatures(view).forEach((f, i) => {
      const score = ruleScore(rule, f);
      const session = view.pending[i].session_id;
      best.set(session, Math.max(best.get(session) ?? -Infinity, score));
    });
    return [...best]
      .filter(([, score]) => score > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([session]) => session);
  };
}

/** Sessions with a pending text never seen in benign traffic during training. */
export function whitelistDetector(seen: ReadonlySet<string>): Detector {
  return (view) => [
    ...new Set(view.pending.filter((p) => !seen.has(p.request)).map((p) => p.session_id)),
  ];
}

export class DetectorBlue implements BluePolicy {
  readonly role = "blue" as const;

  constructor(
    readonly name: string,
    private readonly detect: Detector,
    private readonly action: "block" | "flag",
    private readonly explanation: ConstantExplanation,
  ) {}

  reset(_seed: number): void {}

  act(view: BlueView): BlueAction {
    const acted = actedThisTick(view);
    const pending = new Set(view.pending.map((p) => p.session_id));
    const next = this.detect(view).find((s) => pending.has(s) && !acted.has(s));
    if (next === undefined) return { agent_type: "blue", action_type: "monitor" };
    return {
      agent_type: "blue",
      action_type: this.action,
      session_id: next,
      explanation: renderExplanation(this.explanation, view),
    };
  }
}

/** Rewrites the actions of `inner` as they leave it; the view it sees is untouched. */
function rewriting(
  inner: BluePolicy,
  name: string,
  rewrite: (a: BlueAction, view: BlueView) => BlueAction,
): BluePolicy {
  return {
    role: "blue",
    name,
    reset: (seed) => inner.reset(seed),
    act: async (view) => rewrite(await inner.act(view), view),
  };
}

const poor = (view: BlueView): Explanation => renderExplanation(POOR_EXPLANATION, view);

/** I1's farmer: every flag, block and explain of `inner` carries the poor explanation. */
export const farming = (inner: BluePolicy): BluePolicy =>
  rewriting(inner, `farm(${inner.name})`, (a, view) =>
    ["flag", "block", "patch", "explain"].includes(a.action_type)
      ? { ...a, explanation: poor(view) }
      : a,
  );

/** I3's no-op patcher: what `inner` blocks is patched with a patch that does nothing. */
export const noopPatching = (inner: BluePolicy): BluePolicy =>
  rewriting(inner, `noop-patch(${inner.name})`, (a, view) =>
    a.action_type === "block" && view.activation_access
      ? {
          agent_type: "blue",
          action_type: "patch",
          session_id: a.session_id,
          layer: view.n_layers - 1,
          method: "project_out",
          direction_label: APPROVED_DIRECTIONS[0],
          ...(a.explanation ? { explanation: a.explanation } : {}),
        }
      : a,
  );

/**
 * Spams well-formed invalid actions (a block on a session that does not exist),
 * hoping the rules end the episode before its hidden penalties settle. Capped
 * per episode, then it monitors, so a rule that never ends the turn on invalid
 * actions cannot hang the audit.
 */
export class QuitBlue implements BluePolicy {
  readonly role = "blue" as const;
  readonly name = "quit-invalid";
  private sent = 0;
  constructor(private readonly cap = 20) {}

  reset(_seed: number): void {
    this.sent = 0;
  }

  act(_view: BlueView): BlueAction {
    if (this.sent++ < this.cap)
      return { agent_type: "blue", action_type: "block", session_id: "s-nonexistent" };
    return { agent_type: "blue", action_type: "monitor" };
  }
}
