/**
 * A constant explanation: the same structured explanation whatever happened,
 * the cheapest thing a Blue can attach to a flag or a block. GAME.md I6 says no
 * such explanation may reach 0.5 on more than one strategy, nor average 0.3 over
 * the strategies; the audit searches this space for one that does
 * (src/audit/explanation-search.ts). The only thing allowed to vary is what I6
 * allows: the tick at which Blue acts may be cited as evidence. The layer is a
 * fixed fraction of the depth, the only way a constant can name a layer on any
 * target.
 *
 * `POOR_EXPLANATION` is the deliberately wrong one a farming Blue uses (I1).
 */
import {
  type BlueView,
  DETECTION_METHODS,
  type DetectionMethod,
  DIRECTION_LABELS,
  type Explanation,
  RECOMMENDED_ACTIONS,
  RED_STRATEGIES,
  type RecommendedAction,
  type RedStrategy,
  THREAT_LEVELS,
  type ThreatLevel,
} from "../arena/schema.js";

export const EVIDENCE_MODES = ["none", "acting_tick", "all_ticks"] as const;
export const LAYER_FRACTIONS = [null, 0.25, 0.5, 0.75] as const;

export interface ConstantExplanation {
  threat_level: ThreatLevel;
  detection_method: DetectionMethod;
  layer: (typeof LAYER_FRACTIONS)[number];
  direction: string | null;
  evidence: (typeof EVIDENCE_MODES)[number];
  recommended_action: RecommendedAction;
  /** the optional `strategy_match` field of rules v2; null leaves it out */
  strategy: RedStrategy | null;
}

/** Every value each field may take: the space the search walks, field by field. */
export const EXPLANATION_SPACE: {
  [K in keyof ConstantExplanation]: readonly ConstantExplanation[K][];
} = {
  threat_level: THREAT_LEVELS,
  detection_method: DETECTION_METHODS,
  layer: LAYER_FRACTIONS,
  direction: [null, ...DIRECTION_LABELS],
  evidence: EVIDENCE_MODES,
  recommended_action: RECOMMENDED_ACTIONS,
  strategy: [null, ...RED_STRATEGIES],
};

/** Where the search starts: the v1 trick's explanation (GAME.md issue 12). */
export const START_EXPLANATION: ConstantExplanation = {
  threat_level: "high",
  detection_method: "log_review",
  layer: null,
  direction: null,
  evidence: "acting_tick",
  recommended_action: "block",
  strategy: null,
};

/** Wrong on every part: what a Blue that farms per-request rewards attaches (I1). */
export const POOR_EXPLANATION: ConstantExplanation = {
  threat_level: "none",
  detection_method: "traffic_analysis",
  layer: null,
  direction: null,
  evidence: "none",
  recommended_action: "monitor",
  strategy: null,
};

export const describeExplanation = (c: ConstantExplanation): string =>
  [
    c.strategy ?? "-",
    c.threat_level,
    c.detection_method,
    c.layer === null ? "no layer" : `layer ${c.layer}L`,
    c.direction ?? "no direction",
    `evidence ${c.evidence}`,
    c.recommended_action,
  ].join(", ");

/** The wire explanation for an action taken in `view`. */
export function renderExplanation(
  c: ConstantExplanation,
  view: Pick<BlueView, "tick" | "n_layers">,
): Explanation {
  const evidence =
    c.evidence === "none"
      ? []
      : c.evidence === "acting_tick"
        ? [view.tick]
        : Array.from({ length: Math.min(64, view.tick + 1) }, (_, t) => t);
  const explanation: Record<string, unknown> = {
    threat_level: c.threat_level,
    detection_method: c.detection_method,
    layer_implicated:
      c.layer === null ? null : Math.min(view.n_layers - 1, Math.round(c.layer * view.n_layers)),
    direction_match: c.direction,
    evidence_turns: evidence,
    recommended_action: c.recommended_action,
  };
  // strategy_match is optional on the wire; a constant without one leaves it out.
  if (c.strategy !== null) explanation.strategy_match = c.strategy;
  return explanation as Explanation;
}
