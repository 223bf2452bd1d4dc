/**
 * The Training tab: a `seige train` run, live. It lists the runs of the server's
 * runs folder (`GET /runs`, read-only, SEIGE_LEARNED_DIR), and for the chosen one
 * shows what was asked, progress (episodes done of those asked) and curves of
 * return, win rate and entropy per update with the scripted baselines as flat
 * lines, polling `/runs/<run>/progress` while the run trains (train writes a
 * metrics line per update) and stopping once its report is written. When the
 * checkpoint exists, its learned policy can be watched against a scripted
 * opponent or played against (the Watch and Play tabs take `learned:<run>`).
 */
import { lineChart, type Series } from "./charts.js";
import { StatusLine, select } from "./controls.js";
import { fmt, h, replace } from "./dom.js";
import { offerLearned } from "./policies.js";
import {
  explain,
  fetchProgress,
  fetchRuns,
  type RunEntry,
  type RunProgress,
  type UpdateLine,
} from "./server-link.js";
import { type PageState, writeState } from "./url-state.js";

/** How often a run that is still training is re-read. */
const POLL_MS = 1500;
/** Curves are trailing means over this many updates: one update's batch is noisy. */
const WINDOW = 10;

const smooth = (ys: number[]): number[] =>
  ys.map((_, i) => {
    const from = Math.max(0, i - WINDOW + 1);
    let sum = 0;
    for (let j = from; j <= i; j++) sum += ys[j];
    return sum / (i - from + 1);
  });

const BASELINE_COLOURS = ["#475569", "#0891b2", "#65a30d", "#d97706", "#db2777"];

export interface TrainingActions {
  /** show the Watch tab with this learned policy in its role */
  watch(role: "red" | "blue", name: string): void;
  /** show the Play tab with this learned policy as the opponent */
  play(role: "red" | "blue", name: string): void;
}

export class TrainingPane {
  readonly element: HTMLElement;
  private runs: RunEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** bumped whenever the shown run changes, so an older reply is dropped */
  private epoch = 0;
  private readonly status = new StatusLine();
  private readonly pickSlot = h("div", { class: "control-slot" });
  private readonly body = h("div", { class: "pane-body training" });

  constructor(
    private readonly state: PageState,
    private readonly actions: TrainingActions,
  ) {
    this.element = h(
      "section",
      { class: "pane", id: "training", "aria-label": "Training" },
      h(
        "div",
        { class: "controls" },
        this.pickSlot,
        h(
          "div",
          { class: "control" },
          h(
            "button",
            { type: "button", id: "refresh-runs", onclick: () => void this.refresh() },
            "Refresh list",
          ),
        ),
      ),
      this.status.element,
      this.body,
    );
    void this.refresh();
  }

  /** Re-reads the list of runs, then shows the chosen one. */
  async refresh(): Promise<void> {
    this.status.loading("Reading the runs folder…");
    try {
      this.runs = (await fetchRuns()).runs;
    } catch (e) {
      const err = explain(e);
      this.status.error(
        `${err.message}. The server lists the runs of its SEIGE_LEARNED_DIR (default ./runs).`,
        err.kind,
        () => void this.refresh(),
      );
      return;
    }
    this.status.clear();
    for (const r of this.runs)
      if (r.role && r.has_policy) offerLearned(r.role, `learned:${r.name}`);
    if (this.runs.length === 0) {
      replace(this.pickSlot);
      replace(
        this.body,
        h(
          "p",
          { class: "empty" },
          "No training runs yet. Start one beside the server, e.g. ",
          h(
            "code",
            {},
            "npx seige train --role blue --opponent scripted:steer --stage 2 --out runs/blue-s2",
          ),
          ", then press Refresh list.",
        ),
      );
      return;
    }
    if (!this.runs.some((r) => r.name === this.state.run)) this.state.run = this.runs[0].name;
    const label = (r: RunEntry) =>
      `${r.name}${r.role ? ` (${r.role})` : ""}${r.finished ? "" : " · training"}`;
    const pick = select(
      "Run",
      "run",
      this.runs.map((r) => r.name),
      this.state.run,
      (v) => this.show(v),
    );
    pick.el.querySelectorAll("option").forEach((o, i) => {
      o.textContent = label(this.runs[i]);
    });
    replace(this.pickSlot, pick.wrap);
    this.show(this.state.run);
  }

  /** Shows run `name`, polling it while it trains. */
  show(name: string): void {
    this.state.run = name;
    writeState(this.state);
    this.stop();
    const epoch = ++this.epoch;
    replace(this.body, h("p", { class: "status loading" }, "Loading the run…"));
    const tick = async () => {
      let p: RunProgress;
      try {
        p = await fetchProgress(name);
      } catch (e) {
        if (epoch !== this.epoch) return;
        const err = explain(e);
        this.status.error(err.message, err.kind, () => this.show(name));
        return;
      }
      if (epoch !== this.epoch) return;
      this.status.clear();
      this.render(name, p);
      if (!p.finished && this.element.isConnected) this.timer = setTimeout(tick, POLL_MS);
    };
    void tick();
  }

  /** Stops polling (the tab was left). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resumes polling when the tab is shown again. */
  resume(): void {
    if (this.state.run && this.runs.length > 0) this.show(this.state.run);
  }

  private render(name: string, p: RunProgress): void {
    const run = p.run;
    const last = p.metrics.at(-1);
    const done = last?.episodes ?? 0;
    const asked = run?.episodes ?? null;
    const state = p.finished ? "finished" : p.has_policy ? "evaluating" : "training";
    const progress = h("progress", {
      id: "train-progress",
      max: asked ?? 1,
      value: asked ? Math.min(done, asked) : p.finished ? 1 : 0,
      "aria-label": "Training progress",
    });
    const head = h(
      "div",
      {
        class: "run-head",
        id: "run-head",
        "data-run": name,
        "data-state": state,
        "data-updates": p.metrics.length,
        "data-episodes": done,
      },
      h(
        "p",
        {},
        run
          ? h(
              "span",
              {},
              h("b", { class: run.role }, run.role),
              ` against ${run.opponent}, stage ${run.stage}, batches of ${run.batch}: `,
            )
          : null,
        h(
          "span",
          { id: "train-count" },
          `${done}${asked ? ` / ${asked}` : ""} episodes, ${p.metrics.length} updates`,
          last ? `, ${fmt(last.seconds, 0)} s` : "",
        ),
        ` · ${state}`,
      ),
      progress,
      run ? h("p", {}, h("code", { class: "command" }, run.command)) : null,
    );
    const actions =
      p.has_policy && run
        ? h(
            "div",
            { class: "command-row" },
            h(
              "button",
              {
                type: "button",
                id: "watch-learned",
                class: "primary",
                onclick: () => this.actions.watch(run.role, `learned:${name}`),
              },
              `Watch this ${run.role} policy play`,
            ),
            h(
              "button",
              {
                type: "button",
                id: "play-learned",
                onclick: () => this.actions.play(run.role, `learned:${name}`),
              },
              `Play against it (as ${run.role === "red" ? "blue" : "red"})`,
            ),
          )
        : null;
    replace(this.body, head, actions, p.metrics.length === 0 ? waiting() : charts(p));
  }
}

const waiting = () =>
  h(
    "p",
    { class: "empty" },
    "No update yet: the run measures the scripted baselines first, then writes a line per update.",
  );

function charts(p: RunProgress): HTMLElement {
  const m = p.metrics;
  const n = m.length;
  const batch = p.run?.batch ?? Math.round((m[0]?.episodes ?? 16) / Math.max(1, m[0]?.update ?? 1));
  const flat = (name: string, y: number, k: number): Series => ({
    name: `${name} (held-out)`,
    values: Array.from({ length: n }, () => y),
    color: BASELINE_COLOURS[k % BASELINE_COLOURS.length],
  });
  const baselines = p.baselines ?? [];
  const axes = (what: string) =>
    `x: update (${batch} episodes each) · y: ${what}, trailing mean of ${WINDOW} updates`;
  const curve = (name: string, f: (x: UpdateLine) => number): Series => ({
    name,
    values: smooth(m.map(f)),
    color: "#dc2626",
    bold: true,
  });
  return h(
    "div",
    { class: "train-charts", "data-updates": n },
    lineChart(
      "Return per episode",
      [
        curve("learned", (x) => x.mean_return),
        ...baselines.map((b, k) => flat(b.name, b.mean_return, k)),
      ],
      n - 1,
      undefined,
      axes("mean return"),
    ),
    lineChart(
      "Win rate",
      [
        curve("learned", (x) => x.win_rate),
        ...baselines.map((b, k) => flat(b.name, b.win_rate, k)),
      ],
      n - 1,
      undefined,
      axes("share of episodes won"),
    ),
    lineChart(
      "Policy entropy",
      [curve("entropy", (x) => x.entropy)],
      n - 1,
      undefined,
      axes("mean entropy per decision"),
    ),
  );
}
