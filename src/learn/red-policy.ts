/**
 * The learned Red: one forward pass over its view's features, then heads in
 * order — the strategy (masked to the view's available strategies), the text
 * (the strategy's own tactic template, a quiet ask, a direct ask, or small talk,
 * from the scripted payload banks, filled with the public task name), and the
 * strategy's parameters: layer bucket, direction (masked to the view's labels),
 * magnitude bucket, layer span, attention-head group. Coalition strategies use
 * its second session as the partner.
 *
 * It reads only the Red view; it never sees the protected value, Blue's alerts
 * or probes.
 */
import { directAsk, quietAsk, type TextTactic, textPayload } from "../agents/scripted/payloads.js";
import type { RedPolicy } from "../agents/types.js";
import type { RedAction, RedStrategy, RedView } from "../arena/schema.js";
import { smallTalk } from "../arena/traffic-text.js";
import { RED_INPUT_DIM, redFeatures } from "./features.js";
import { HEAD_GROUPS, layerOf, redHeads } from "./heads.js";
import { Mlp } from "./mlp.js";
import { PolicyCore } from "./policy.js";

export function newRedNet(hidden: number[], seed: string): Mlp {
  return new Mlp({ input: RED_INPUT_DIM, hidden, output: redHeads().size }).init(seed);
}

export const redValueDim = RED_INPUT_DIM;

const TEXT_TACTICS = new Set<string>([
  "persona_manipulation",
  "indirect_injection",
  "multi_turn_escalation",
]);

export class LearnedRed implements RedPolicy {
  readonly role = "red" as const;
  readonly core: PolicyCore;

  constructor(
    readonly name: string,
    net: Mlp,
    greedy = true,
  ) {
    this.core = new PolicyCore(net, redHeads(), greedy);
  }

  reset(seed: number): void {
    this.core.reset(seed);
  }

  act(view: RedView): RedAction {
    const core = this.core;
    const x = redFeatures(view);
    core.begin([x]);
    const available = new Set<string>(view.available_strategies);
    const strategy = core.option("strategy", 0, (s) => available.has(s)) as RedStrategy;
    const sessions = view.sessions.map((s) => s.session_id);
    const action: RedAction = {
      agent_type: "red",
      strategy,
      sub_strategy: "learned",
      payload: this.text(view, strategy, core.option("text", 0)),
      session_id: sessions[0],
    };
    const L = view.n_layers;
    const labels = new Set(view.direction_labels);
    switch (strategy) {
      case "steering_vector":
        action.target_layer = layerOf(core.option("layer", 0), L);
        action.direction_label = core.option("direction", 0, (d) => labels.has(d));
        action.magnitude = Number(core.option("magnitude", 0));
        break;
      case "circuit_bypass": {
        action.target_layer = layerOf(core.option("layer", 0), L);
        const g = Number(core.option("heads", 0));
        const per = Math.max(1, Math.floor(view.n_heads / HEAD_GROUPS.length));
        const first = Math.min(view.n_heads - 1, g * per);
        action.heads = Array.from({ length: per }, (_, i) => first + i).filter(
          (h) => h < view.n_heads,
        );
        break;
      }
      case "repe_belief_flip": {
        const from = layerOf(core.option("layer", 0), L);
        const span = Math.max(1, Math.round(Number(core.option("span", 0)) * L));
        action.layer_range = [from, Math.min(L - 1, from + span - 1)];
        break;
      }
      case "coalition_distraction":
      case "coalition_poisoning":
        if (sessions[1]) action.coalition_partner = sessions[1];
        break;
      default:
        break;
    }
    core.end(x);
    return action;
  }

  private text(view: RedView, strategy: RedStrategy, kind: string): string {
    const rng = this.core.random;
    const task = view.task.name;
    if (kind === "quiet") return quietAsk(task, rng);
    if (kind === "direct") return directAsk(task, rng);
    // Small talk from the benign generator: ordinary requests, as the idle Red's
    // (a cover text of benign traffic's mix may be refused, which I4 counts as an attack).
    if (kind === "cover") return smallTalk(rng);
    const tactic: TextTactic = TEXT_TACTICS.has(strategy)
      ? (strategy as TextTactic)
      : "persona_manipulation";
    const turn = view.strategy_history.filter((h) => h.strategy === "multi_turn_escalation").length;
    return textPayload(tactic, task, rng, turn);
  }
}
