/**
 * Watch mode: the scripted Red and Blue policies (pure TypeScript, bundled
 * from src/agents), or learned ones (`learned:<run>`, web/src/policies.ts), play one two-player episode over a `/ws` session, driven by
 * `TwoPlayerEpisode`, the same driver as `seige play`, so the returns shown
 * equal `seige play --json` for the same seed, stage and policies. Step by
 * step or auto-play at a chosen speed; a timeline moves over the steps; a
 * recorded episode (`seige play --record`) can be loaded and replayed through
 * the same timeline. Policies registered in src/agents appear in the selects
 * by themselves (web/src/policies.ts).
 */
import { TwoPlayerEpisode } from "../../src/agents/two-player.js";
import { STAGES } from "../../src/arena/schema.js";
import type { SeigeClient, StepReply } from "../../src/client/index.js";
import { numberInput, StatusLine, select } from "./controls.js";
import { fmt, h, replace } from "./dom.js";
import { inspector } from "./inspect.js";
import { loadPolicy, policyNames } from "./policies.js";
import { explain, openSession } from "./server-link.js";
import { cumulativeReturns, episodeCount, type Frame, framesFromRecording } from "./timeline.js";
import { type PageState, playCommand, writeState } from "./url-state.js";

const frameOf = (reply: StepReply, index: number, action: Frame["action"]): Frame => ({
  index,
  by: index === 0 ? "reset" : "client",
  action,
  observation: reply.observation,
  reward: reply.reward,
  done: reply.done,
});

export class WatchPane {
  readonly element: HTMLElement;
  private frames: Frame[] = [];
  private cursor = 0;
  private source: "live" | "recording" | null = null;
  private client: SeigeClient | null = null;
  private episode: TwoPlayerEpisode | null = null;
  private last: StepReply | null = null;
  private final: { red: number; blue: number } | null = null;
  private playing = false;
  private busy = false;
  private renderQueued = false;
  /** bumped by every new episode or recording, so a reply from an older one is dropped */
  private epoch = 0;
  /** steps per second sustained over the last auto-play run (docs/web.md) */
  measuredRate = 0;

  private readonly status = new StatusLine();
  private readonly body = h("div", { class: "pane-body" });
  private readonly slider = h("input", {
    type: "range",
    id: "timeline",
    min: 0,
    max: 0,
    value: 0,
    "aria-label": "Timeline: step",
  });
  private readonly stepLabel = h("span", { class: "step-label", "aria-live": "off" });
  private readonly returnsOut = h("output", { class: "returns", id: "returns" });
  private readonly playBtn = h(
    "button",
    { type: "button", id: "autoplay", "aria-pressed": "false" },
    "Auto-play",
  );
  private readonly stepBtn = h("button", { type: "button", id: "step" }, "Step");
  private readonly copyBtn = h("button", { type: "button", id: "copy-command" }, "Copy as command");
  private readonly commandOut = h("code", { class: "command", id: "command" });

  constructor(private readonly state: PageState) {
    const red = select("Red policy", "red", policyNames("red"), state.red, (v) =>
      this.set({ red: v }),
    );
    const blue = select("Blue policy", "blue", policyNames("blue"), state.blue, (v) =>
      this.set({ blue: v }),
    );
    const stage = select("Stage", "stage", STAGES, state.stage, (v) =>
      this.set({ stage: Number(v) as 1 | 2 | 3 }),
    );
    const seed = numberInput("Seed", "seed", state.seed, 0, 2 ** 31 - 1, (v) =>
      this.set({ seed: v }),
    );
    const speed = numberInput("Speed (steps/s)", "speed", state.speed, 1, 1000, (v) =>
      this.set({ speed: v }),
    );
    const file = h("input", {
      type: "file",
      id: "recording",
      accept: ".jsonl,.json,application/x-ndjson,text/plain",
    });
    file.addEventListener("change", () => {
      const f = file.files?.[0];
      if (f) void f.text().then((t) => this.loadRecording(t, f.name));
    });
    this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
    this.stepBtn.addEventListener("click", () => void this.advance());
    this.playBtn.addEventListener("click", () => this.toggle());
    this.copyBtn.addEventListener("click", () => void this.copyCommand());
    this.element = h(
      "section",
      { class: "pane", id: "watch", "aria-label": "Watch" },
      h(
        "form",
        {
          class: "controls",
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.start();
          },
        },
        red.wrap,
        blue.wrap,
        stage.wrap,
        seed.wrap,
        h(
          "div",
          { class: "control" },
          h("button", { type: "submit", class: "primary", id: "new-episode" }, "New episode"),
        ),
        speed.wrap,
        h(
          "div",
          { class: "control" },
          h("label", { for: "recording" }, "Load recording (JSONL)"),
          file,
        ),
      ),
      h("div", { class: "command-row" }, this.copyBtn, this.commandOut),
      this.status.element,
      h(
        "div",
        { class: "transport" },
        h(
          "button",
          {
            type: "button",
            "aria-label": "Previous step",
            onclick: () => this.seek(this.cursor - 1),
          },
          "◀",
        ),
        this.stepBtn,
        h(
          "button",
          {
            type: "button",
            "aria-label": "Next recorded step",
            onclick: () => this.seek(this.cursor + 1),
          },
          "▶",
        ),
        this.playBtn,
        this.slider,
        this.stepLabel,
        this.returnsOut,
      ),
      this.body,
    );
    this.updateCommand();
    this.render();
  }

  private set(patch: Partial<PageState>): void {
    Object.assign(this.state, patch);
    writeState(this.state);
    this.updateCommand();
  }

  private updateCommand(): void {
    this.commandOut.textContent = playCommand(this.state);
  }

  private async copyCommand(): Promise<void> {
    const text = playCommand(this.state);
    try {
      await navigator.clipboard.writeText(text);
      this.copyBtn.textContent = "Copied";
    } catch {
      // No clipboard permission (e.g. an http page in some browsers): select the text instead.
      getSelection()?.selectAllChildren(this.commandOut);
      this.copyBtn.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => (this.copyBtn.textContent = "Copy as command"), 1500);
  }

  /** Ends this pane's session (the pane is being replaced). */
  dispose(): void {
    this.pause();
    void this.client?.close();
    this.client = null;
  }

  /** Starts a new live episode with the chosen policies, stage and seed. */
  async start(): Promise<void> {
    this.pause();
    const epoch = ++this.epoch;
    this.status.loading("Starting an episode…");
    try {
      if (!this.client?.isOpen) this.client = await openSession();
      const seed = this.state.seed;
      const [red, blue] = await Promise.all([
        loadPolicy("red", this.state.red),
        loadPolicy("blue", this.state.blue),
      ]);
      if (epoch !== this.epoch) return;
      this.episode = new TwoPlayerEpisode(red, blue, seed);
      const reply = await this.client.reset({ seed, stage: this.state.stage, opponent: "none" });
      if (epoch !== this.epoch) return;
      this.source = "live";
      this.last = reply;
      this.final = null;
      this.frames = [frameOf(reply, 0, null)];
      this.cursor = 0;
      this.status.clear();
    } catch (e) {
      this.fail(e, () => void this.start());
    }
    this.render();
  }

  /** One step forward: along what is already known, else a new step of the live episode. */
  async advance(): Promise<boolean> {
    if (this.busy) return true;
    if (this.cursor < this.frames.length - 1) {
      this.cursor++;
      this.scheduleRender();
      return true;
    }
    if (this.source !== "live" || !this.client || !this.episode || !this.last || this.last.done)
      return false;
    this.busy = true;
    const epoch = this.epoch;
    try {
      const action = await this.episode.act(this.last);
      const reply = await this.client.step(action);
      if (epoch !== this.epoch) return false;
      this.last = reply;
      this.frames.push(frameOf(reply, this.frames.length, action));
      this.cursor = this.frames.length - 1;
      if (reply.done) {
        const r = this.episode.settle(reply);
        this.final = { red: r.red, blue: r.blue };
      }
      this.scheduleRender();
      return true;
    } catch (e) {
      this.fail(e, () => void this.start());
      return false;
    } finally {
      this.busy = false;
    }
  }

  private toggle(): void {
    if (this.playing) this.pause();
    else void this.autoplay();
  }

  pause(): void {
    this.playing = false;
    this.playBtn.textContent = "Auto-play";
    this.playBtn.setAttribute("aria-pressed", "false");
  }

  private async autoplay(): Promise<void> {
    if (this.frames.length === 0) await this.start();
    this.playing = true;
    this.playBtn.textContent = "Pause";
    this.playBtn.setAttribute("aria-pressed", "true");
    const t0 = performance.now();
    let n = 0;
    while (this.playing) {
      const due = t0 + ((n + 1) * 1000) / this.state.speed;
      if (!(await this.advance())) break;
      n++;
      const wait = due - performance.now();
      // Yield to the browser every step, so input and rendering stay responsive at any speed.
      await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    }
    const secs = (performance.now() - t0) / 1000;
    if (n > 0 && secs > 0) this.measuredRate = n / secs;
    this.element.setAttribute("data-autoplay-rate", fmt(this.measuredRate, 1));
    this.pause();
  }

  seek(i: number): void {
    if (this.frames.length === 0) return;
    this.cursor = Math.max(0, Math.min(this.frames.length - 1, i));
    this.scheduleRender();
  }

  /** Key bindings of the timeline (wired by main.ts when Watch is shown). */
  onKey(e: KeyboardEvent): boolean {
    if (e.key === "ArrowLeft") this.seek(this.cursor - 1);
    else if (e.key === "ArrowRight") void this.advance();
    else if (e.key === "Home") this.seek(0);
    else if (e.key === "End") this.seek(this.frames.length - 1);
    else if (e.key === " " || e.key === "k") this.toggle();
    else return false;
    return true;
  }

  loadRecording(text: string, name: string, episode = 0): void {
    this.pause();
    this.epoch++;
    try {
      const { frames, options } = framesFromRecording(text, episode);
      this.source = "recording";
      this.frames = frames;
      this.cursor = 0;
      this.episode = null;
      this.last = null;
      const totals = cumulativeReturns(frames);
      const lastFrame = frames[frames.length - 1];
      this.final = lastFrame.done
        ? { red: totals.red.at(-1) ?? 0, blue: totals.blue.at(-1) ?? 0 }
        : null;
      const n = episodeCount(text);
      const o = (options ?? {}) as { seed?: number; stage?: number };
      this.status.info(
        `Replaying ${name}: episode ${episode + 1} of ${n} (seed ${o.seed ?? "?"}, stage ${o.stage ?? 1}), ${frames.length - 1} steps.`,
      );
      if (n > 1) {
        const pick = select(
          "Episode",
          "episode",
          Array.from({ length: n }, (_, k) => k + 1),
          episode + 1,
          (v) => this.loadRecording(text, name, Number(v) - 1),
        );
        this.status.element.appendChild(pick.wrap);
      }
    } catch (e) {
      this.status.error(`Could not read ${name}: ${(e as Error).message}`, "recording");
    }
    this.render();
  }

  private fail(e: unknown, retry: () => void): void {
    const err = explain(e);
    this.pause();
    this.status.error(err.message, err.kind, retry);
    if (err.kind === "lost" || err.kind === "capacity") this.client = null;
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const n = this.frames.length;
    this.slider.max = String(Math.max(0, n - 1));
    this.slider.value = String(this.cursor);
    this.slider.disabled = n <= 1;
    const done = n > 0 && this.frames[n - 1].done;
    this.stepBtn.disabled = n === 0 || (this.cursor === n - 1 && (done || this.source !== "live"));
    this.stepLabel.textContent =
      n === 0 ? "no episode" : `step ${this.cursor} / ${n - 1}${done ? " (done)" : ""}`;
    if (n === 0) {
      replace(this.returnsOut);
      replace(
        this.body,
        h(
          "p",
          { class: "empty" },
          "Choose policies, a stage and a seed, then press New episode (or load a recording).",
        ),
      );
      return;
    }
    const totals = cumulativeReturns(this.frames);
    if (this.final && this.cursor === n - 1) {
      this.returnsOut.setAttribute("data-final", "");
      this.returnsOut.setAttribute("data-red", String(this.final.red));
      this.returnsOut.setAttribute("data-blue", String(this.final.blue));
      this.returnsOut.textContent = `final returns: red ${fmt(this.final.red, 4)} · blue ${fmt(this.final.blue, 4)}`;
    } else {
      this.returnsOut.removeAttribute("data-final");
      this.returnsOut.textContent = `returns so far: red ${fmt(totals.red[this.cursor], 4)} · blue ${fmt(totals.blue[this.cursor], 4)}`;
    }
    replace(this.body, inspector(this.frames, this.cursor, { roles: ["red", "blue"] }));
  }
}
