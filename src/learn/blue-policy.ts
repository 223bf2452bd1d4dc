/**
 * The learned Blue: a pointer over the pending queue. The network runs once for
 * "let the queue run" (global features only) and once per pending request
 * (global ⊕ that request's features); one softmax over (candidate, action type)
 * picks monitor, or probe / flag / block / patch of one request. The chosen
 * request's output then gives the probe or patch layer, the patch method, or
 * every field of the explanation. Options the view rules out (probing without
 * budget or activation access, acting twice on a session in one tick) are masked.
 *
 * It reads only the Blue view. Evidence turns are the current tick (the one
 * tick Blue can vouch for); the layer it implicates is the layer it probed.
 */

import type { BluePolicy } from "../agents/types.js";
import type { BlueAction, BlueView, Explanation } from "../arena/schema.js";
import {
  BLUE_GLOBAL_DIM,
  BLUE_INPUT_DIM,
  BLUE_SESSION_DIM,
  blueGlobal,
  blueSession,
} from "./features.js";
import { blueHeads, HAS_STRATEGY_MATCH, layerOf } from "./heads.js";
import { Mlp } from "./mlp.js";
import { PolicyCore } from "./policy.js";

export function newBlueNet(hidden: number[], seed: string): Mlp {
  return new Mlp({ input: BLUE_INPUT_DIM, hidden, output: blueHeads().size }).init(seed);
}

export const blueValueDim = BLUE_GLOBAL_DIM;

export class LearnedBlue implements BluePolicy {
  readonly role = "blue" as const;
  readonly core: PolicyCore;

  constructor(
    readonly name: string,
    net: Mlp,
    greedy = true,
    /** what of its view the policy reads (the audit's surface-only learner redacts it); all by default */
    private readonly see: (view: BlueView) => BlueView = (v) => v,
  ) {
    this.core = new PolicyCore(net, blueHeads(), greedy);
  }

  reset(seed: number): void {
    this.core.reset(seed);
  }

  act(full: BlueView): BlueAction {
    const view = this.see(full);
    const core = this.core;
    const global = blueGlobal(view);
    const acted = new Set(view.alerts.filter((a) => a.tick === view.tick).map((a) => a.session_id));
    const probed = new Map(
      view.probe_results.filter((r) => r.tick === view.tick).map((r) => [r.session_id, r]),
    );
    // One candidate per session with a pending request Blue has not acted on this tick.
    const seen = new Set<string>();
    const cand: { index: number; session: string }[] = [];
    view.pending.forEach((p, index) => {
      if (acted.has(p.session_id) || seen.has(p.session_id)) return;
      seen.add(p.session_id);
      cand.push({ index, session: p.session_id });
    });
    const idle = new Array<number>(BLUE_SESSION_DIM).fill(0);
    core.begin([
      [...global, ...idle],
      ...cand.map((c) => [...global, ...blueSession(view, c.index)]),
    ]);
    const canProbe =
      view.activation_access && view.probe_budget.this_tick > 0 && view.probe_budget.episode > 0;
    const type = this.core.heads.get("type");
    const col = (t: string) => type.offset + type.options.indexOf(t);
    const options: { k: number; type: string }[] = [{ k: 0, type: "monitor" }];
    cand.forEach((c, i) => {
      const k = i + 1;
      if (canProbe && !probed.has(c.session)) options.push({ k, type: "probe" });
      options.push({ k, type: "flag" }, { k, type: "block" });
      if (view.activation_access) options.push({ k, type: "patch" });
    });
    const pick = options[core.choose(options.map((o) => [o.k, col(o.type)]))];
    let action: BlueAction;
    if (pick.type === "monitor") {
      action = { agent_type: "blue", action_type: "monitor" };
    } else {
      const session = cand[pick.k - 1].session;
      if (pick.type === "probe") {
        action = {
          agent_type: "blue",
          action_type: "probe",
          session_id: session,
          layer: layerOf(core.option("layer", pick.k), view.n_layers),
        };
      } else if (pick.type === "patch") {
        const method = core.option("patch_method", pick.k) as "project_out" | "mean_ablate";
        action = {
          agent_type: "blue",
          action_type: "patch",
          session_id: session,
          layer: layerOf(core.option("layer", pick.k), view.n_layers),
          method,
        };
        if (method === "project_out") {
          const known = new Set([
            ...view.direction_labels.attack,
            ...view.direction_labels.approved,
          ]);
          action.direction_label = core.option("direction_match", pick.k, (o) => known.has(o));
        }
      } else {
        action = {
          agent_type: "blue",
          action_type: pick.type as "flag" | "block",
          session_id: session,
          explanation: this.explain(view, pick.k, probed.get(session)?.layer ?? null),
        };
      }
    }
    core.end(global);
    return action;
  }

  private explain(view: BlueView, k: number, probedLayer: number | null): Explanation {
    const core = this.core;
    const known = new Set([...view.direction_labels.attack, ...view.direction_labels.approved]);
    const direction = core.option("direction_match", k, (o) => o === "none" || known.has(o));
    const layer = core.option("layer_implicated", k, (o) => o === "none" || probedLayer !== null);
    const explanation: Explanation = {
      threat_level: core.option("threat_level", k) as Explanation["threat_level"],
      detection_method: core.option("detection_method", k) as Explanation["detection_method"],
      layer_implicated: layer === "probed" ? probedLayer : null,
      direction_match: direction === "none" ? null : direction,
      evidence_turns: [view.tick],
      recommended_action: core.option("recommended_action", k) as Explanation["recommended_action"],
    };
    if (HAS_STRATEGY_MATCH) {
      const s = core.option("strategy_match", k);
      // Only on a wire whose explanation has the field (rules v2).
      if (s !== "none") (explanation as Record<string, unknown>).strategy_match = s;
    }
    return explanation;
  }
}
