/**
 * The inspector: for one frame of an episode, what happened (the action and
 * who chose it), what each visible role saw at that point, the reward
 * components of the roles over the episode, Blue's probe results as plots and,
 * once the episode is done, the ground truth from the summary. `roles` says
 * whose views may be shown: both in Watch and replay, only the player's own in
 * Play, where the frames never hold the other's view in the first place.
 */
import {
  DIRECTION_LABELS,
  type EpisodeSummary,
  INTENT_CLASSES,
  type Role,
} from "../../src/arena/schema.js";
import { barChart, heatmap, lineChart, type Series, stackedBars } from "./charts.js";
import { fmt, h } from "./dom.js";
import {
  cumulativeComponents,
  cumulativeReturns,
  type Frame,
  lastView,
  probesSeen,
} from "./timeline.js";
import { bluePanel, redPanel } from "./views.js";

export interface InspectOptions {
  roles: Role[];
}

function actionLine(f: Frame): HTMLElement {
  if (f.by === "reset") return h("p", {}, "Episode reset.");
  const a = f.action;
  const who = f.by === "opponent" ? "opponent" : "client";
  const text = !a
    ? "(no action)"
    : a.agent_type === "red"
      ? `red ${a.strategy}${a.session_id ? ` in ${a.session_id}` : ""}${a.target_layer !== undefined ? ` L${a.target_layer}` : ""}${a.direction_label ? ` ${a.direction_label}` : ""}${a.magnitude !== undefined ? ` ×${a.magnitude}` : ""}`
      : `blue ${a.action_type}${a.session_id ? ` ${a.session_id}` : ""}${a.layer !== undefined ? ` L${a.layer}` : ""}`;
  return h(
    "div",
    { class: "action-line" },
    h("p", {}, h("b", {}, `Step ${f.index}`), ` (${who}): ${text}`),
    a &&
      h("details", {}, h("summary", {}, "action JSON"), h("pre", {}, JSON.stringify(a, null, 2))),
    f.observation.error &&
      h("p", { class: "invalid", role: "status" }, `invalid: ${f.observation.error}`),
  );
}

function views(frames: Frame[], i: number, roles: Role[]): HTMLElement {
  const panels: HTMLElement[] = [];
  if (roles.includes("red")) {
    const red = lastView(frames, i, "red");
    panels.push(
      red
        ? redPanel(red.view, `(as of step ${red.frame})`)
        : h(
            "section",
            { class: "view red" },
            h("h3", {}, "Red saw"),
            h("p", { class: "muted" }, "nothing yet"),
          ),
    );
  }
  if (roles.includes("blue")) {
    const blue = lastView(frames, i, "blue");
    panels.push(
      blue
        ? bluePanel(blue.view, `(as of step ${blue.frame})`)
        : h(
            "section",
            { class: "view blue" },
            h("h3", {}, "Blue saw"),
            h("p", { class: "muted" }, "nothing yet"),
          ),
    );
  }
  return h("div", { class: "views" }, panels);
}

/**
 * Whether the reward charts stop before the settlement step (the last frame of
 * a finished episode, where the hidden-truth components are paid and dwarf the
 * per-step ones). Kept across renders and steps: a reader's choice, not a frame's.
 */
let beforeSettlement = false;

function rewardCharts(frames: Frame[], i: number, roles: Role[]): HTMLElement {
  const comps = cumulativeComponents(frames);
  const totals = cumulativeReturns(frames);
  const done = frames[frames.length - 1].done && frames.length > 2;
  const cut = done && beforeSettlement;
  // Before settlement: every line stops at the step before the last.
  const upTo = cut ? frames.length - 1 : frames.length;
  return h(
    "div",
    { class: "charts", "data-before-settlement": cut ? "" : null },
    roles.map((role) => {
      const series: Series[] = Object.entries(comps[role]).map(([name, values]) => ({
        name,
        values: values.slice(0, upTo),
      }));
      series.unshift({
        name: "return",
        values: totals[role].slice(0, upTo),
        color: "#111827",
        bold: true,
      });
      const settled = totals[role][frames.length - 1] - totals[role][frames.length - 2];
      return lineChart(
        `${role === "red" ? "Red" : "Blue"} reward components (cumulative)`,
        series,
        Math.min(i, upTo - 1),
        cut
          ? `Settlement at step ${frames.length - 1} not shown: ${role} return ${settled >= 0 ? "+" : ""}${fmt(settled, 2)} there.`
          : undefined,
      );
    }),
  );
}

function rewardSection(frames: Frame[], i: number, roles: Role[]): HTMLElement {
  const done = frames[frames.length - 1].done && frames.length > 2;
  let charts = rewardCharts(frames, i, roles);
  const toggle = done
    ? h(
        "label",
        { class: "settlement-toggle" },
        h("input", {
          type: "checkbox",
          id: "before-settlement",
          checked: beforeSettlement,
          onchange: (e: Event) => {
            beforeSettlement = (e.target as HTMLInputElement).checked;
            const next = rewardCharts(frames, i, roles);
            charts.replaceWith(next);
            charts = next;
          },
        }),
        " before settlement",
      )
    : null;
  return h("section", { "aria-label": "Rewards" }, h("h3", {}, "Rewards", toggle), charts);
}

function probePlots(frames: Frame[], i: number): HTMLElement | null {
  const probes = probesSeen(frames, i).slice(-12);
  if (probes.length === 0) return null;
  const tick = frames[i].observation.blue?.tick ?? lastView(frames, i, "blue")?.view.tick;
  const label = (p: (typeof probes)[number]) => `t${p.tick} ${p.session_id} L${p.layer}`;
  const labels = Object.keys(probes[0].cosines).length
    ? Object.keys(probes[0].cosines)
    : [...DIRECTION_LABELS];
  return h(
    "section",
    { class: "probe-plots", "aria-label": "Probe results" },
    h("h3", {}, "Probe results Blue has seen"),
    h(
      "p",
      { class: "probe-legend", id: "probe-legend" },
      "Each row is one probe: ",
      h("code", {}, "t3 s0 L6"),
      " = at tick 3, on session s0's pending request, at layer 6 (the last 12 probes; the current tick's are highlighted).",
    ),
    h(
      "div",
      { class: "charts" },
      barChart(
        "Anomaly z-score per probed layer",
        probes.map((p) => ({ label: label(p), value: p.anomaly_z, highlight: p.tick === tick })),
      ),
      heatmap(
        "Cosine to each library direction",
        probes.map(label),
        labels,
        probes.map((p) => labels.map((l) => p.cosines[l] ?? 0)),
      ),
      stackedBars(
        "Intent-probe class probabilities",
        probes.map((p) => ({ label: label(p), parts: p.intent.probabilities })),
        INTENT_CLASSES,
      ),
    ),
  );
}

export function groundTruth(summary: EpisodeSummary): HTMLElement {
  const cell = (v: unknown) =>
    h("td", {}, v === null || v === undefined ? "—" : Array.isArray(v) ? v.join("–") : String(v));
  const comp = (role: Role) => {
    const r = summary.returns[role];
    return h(
      "table",
      { class: "components" },
      h("caption", {}, `${role} return ${fmt(r.total, 4)}`),
      h(
        "tbody",
        {},
        Object.entries(r.components).map(([k, v]) =>
          h("tr", {}, h("th", {}, k), h("td", {}, fmt(v, 4))),
        ),
      ),
    );
  };
  return h(
    "section",
    { class: "truth", "data-ground-truth": "", "aria-label": "Ground truth" },
    h("h3", {}, "Ground truth (revealed at done)"),
    h(
      "p",
      {},
      h("b", {}, `winner: ${summary.winner}`),
      ` · ${summary.terminated ? "terminated" : "truncated"}: ${summary.terminal_reason} · ${summary.ticks} ticks · task ${summary.task}`,
    ),
    h(
      "p",
      {},
      "Red's sessions: ",
      h("b", {}, summary.red_sessions.join(", ")),
      " · protected value: ",
      h("code", {}, summary.protected_value),
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "attacks" },
        h("caption", {}, `Attacks (${summary.attacks.length})`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              "tick",
              "session",
              "strategy",
              "layer",
              "direction",
              "magnitude",
              "heads / range",
              "decoy",
              "Blue did",
              "leaked",
              "would have leaked",
            ].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h(
          "tbody",
          {},
          summary.attacks.map((a) =>
            h(
              "tr",
              { class: a.leak !== "none" ? "leak" : "" },
              cell(a.tick),
              cell(a.session_id),
              cell(a.strategy),
              cell(a.target_layer),
              cell(a.direction_label),
              cell(a.magnitude),
              cell(a.heads ?? a.layer_range),
              cell(a.decoy ? "yes" : ""),
              cell(a.blue_action),
              cell(a.leak),
              cell(a.would_have_leaked),
            ),
          ),
        ),
      ),
    ),
    h(
      "p",
      {},
      `Benign requests ${summary.benign.requests}: blocked ${summary.benign.blocked}, flagged ${summary.benign.flagged}, patched ${summary.benign.patched}.`,
      Object.keys(summary.explanation_scores).length > 0
        ? ` Explanation scores: ${Object.entries(summary.explanation_scores)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(", ")}.`
        : "",
    ),
    h("div", { class: "views" }, comp("red"), comp("blue")),
  );
}

export function inspector(frames: Frame[], i: number, options: InspectOptions): HTMLElement {
  const f = frames[i];
  const last = frames[frames.length - 1];
  const summary = last.done ? last.observation.summary : undefined;
  const probes = options.roles.includes("blue") ? probePlots(frames, i) : null;
  return h(
    "div",
    { class: "inspector" },
    actionLine(f),
    views(frames, i, options.roles),
    rewardSection(frames, i, options.roles),
    probes,
    summary && groundTruth(summary),
  );
}
