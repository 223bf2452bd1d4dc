/**
 * Renders one role's view (GAME.md §4) as a person reads it: task, sessions
 * and transcripts for Red; pending queue, sampled logs, probe results and
 * alerts for Blue. It renders exactly the view it is given: the other role's
 * view and ground truth are never passed here, so a panel cannot show more
 * than its role saw. Each panel carries `data-view="red|blue"` (the e2e tests
 * look for it).
 */
import type { BlueView, RedView } from "../../src/arena/schema.js";
import { type Child, fmt, h } from "./dom.js";

const kv = (pairs: [string, Child][]) =>
  h(
    "dl",
    { class: "kv" },
    pairs.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );

export function redPanel(view: RedView, caption: string): HTMLElement {
  return h(
    "section",
    { class: "view red", "data-view": "red", "aria-label": "Red's view" },
    h("h3", {}, "Red saw ", h("small", {}, caption)),
    kv([
      ["tick", `${view.tick} / ${view.max_ticks}`],
      ["stage", view.stage],
      ["task", `${view.task.name}: ${view.task.objective}`],
      ["hint", view.task.public_hint],
      ["policy rules", `${view.policy_rules_count} (text hidden from Red)`],
      ["layers · heads", `${view.n_layers} · ${view.n_heads}`],
      ["directions", view.direction_labels.join(", ")],
      [
        "budgets",
        `tokens ${view.budgets.tokens_left}, target calls ${view.budgets.target_calls_left}, steps ${view.budgets.steps_left}`,
      ],
      ["strategies", view.available_strategies.join(", ")],
    ]),
    h("h4", {}, "Own sessions"),
    view.sessions.map((sess) =>
      h(
        "div",
        { class: "session" },
        h("h5", {}, sess.session_id),
        sess.transcript.length === 0
          ? h("p", { class: "muted" }, "no turns yet")
          : h(
              "ol",
              { class: "transcript" },
              sess.transcript.map((t) =>
                h(
                  "li",
                  { class: t.role },
                  h("span", { class: "who" }, `t${t.tick} ${t.role}`),
                  t.text,
                ),
              ),
            ),
      ),
    ),
    view.strategy_history.length > 0 &&
      h(
        "p",
        { class: "muted" },
        "history: ",
        view.strategy_history.map((x) => `t${x.tick} ${x.strategy}@${x.session_id}`).join(" · "),
      ),
  );
}

export function bluePanel(view: BlueView, caption: string): HTMLElement {
  return h(
    "section",
    { class: "view blue", "data-view": "blue", "aria-label": "Blue's view" },
    h("h3", {}, "Blue saw ", h("small", {}, caption)),
    kv([
      ["tick", `${view.tick} / ${view.max_ticks}`],
      ["stage", view.stage],
      ["task", `${view.task.name}: ${view.task.objective}`],
      ["protected value", h("code", {}, view.task.protected_value)],
      [
        "probe budget",
        `${view.probe_budget.this_tick} this tick, ${view.probe_budget.episode} episode`,
      ],
      ["actions left this tick", view.actions_left_this_tick],
      ["steps left", view.budgets.steps_left],
      ["activation access", view.activation_access ? "yes" : "no (black box)"],
    ]),
    h("h4", {}, `Pending (${view.pending.length})`),
    view.pending.length === 0
      ? h("p", { class: "muted" }, "queue empty")
      : h(
          "ul",
          { class: "pending" },
          view.pending.map((p) => h("li", {}, h("b", {}, p.session_id), " ", p.request)),
        ),
    view.probe_results.length > 0 && [
      h("h4", {}, "Probe results this tick"),
      h(
        "ul",
        { class: "probes" },
        view.probe_results.map((p) =>
          h(
            "li",
            {},
            `${p.session_id} L${p.layer}: z ${fmt(p.anomaly_z)}, intent ${p.intent.class} (${fmt(p.intent.confidence)})`,
          ),
        ),
      ),
    ],
    view.alerts.length > 0 && [
      h("h4", {}, "Own alerts"),
      h(
        "ul",
        {},
        view.alerts.map((a) =>
          h(
            "li",
            {},
            `t${a.tick} ${a.action} ${a.session_id}`,
            a.explanation
              ? ` (${a.explanation.threat_level}, ${a.explanation.detection_method})`
              : "",
          ),
        ),
      ),
    ],
    h(
      "details",
      {},
      h("summary", {}, `Sampled logs (${view.logs.length})`),
      h(
        "ol",
        { class: "transcript" },
        view.logs.map((l) =>
          h(
            "li",
            {},
            h("span", { class: "who" }, `t${l.tick} ${l.session_id}`),
            h("div", {}, "→ ", l.request),
            h("div", { class: "muted" }, "← ", l.response),
          ),
        ),
      ),
    ),
    h(
      "details",
      {},
      h("summary", {}, "Policy rules"),
      h(
        "ol",
        {},
        view.task.policy_rules.map((r) => h("li", {}, r)),
      ),
    ),
  );
}
