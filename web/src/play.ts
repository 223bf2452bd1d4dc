/**
 * Play mode: a person takes one role against a scripted or learned opponent
 * that plays the other inside the env (`opponent: "scripted:<name>"` or
 * `"learned:<run>"`, GAME.md §3). The
 * action form is generated from the server's `/schema`; the server's
 * validation errors appear beside their fields, and a rule violation (an
 * invalid action, which the game penalises) appears above the form. The page
 * holds only what the server sent this role: its own view, its own rewards,
 * and the ground truth once the episode is done. The form shows only the
 * fields the chosen action uses and only the strategies Red's view lists as
 * available, so nothing typed for an earlier choice is sent.
 */
import { STAGES } from "../../src/arena/schema.js";
import type { ClientAction, SeigeClient, StepReply } from "../../src/client/index.js";
import { DISCRIMINATOR, fieldsFor, NEVER_SHOWN } from "./action-fields.js";
import { numberInput, StatusLine, select } from "./controls.js";
import { fmt, h, replace } from "./dom.js";
import { inspector } from "./inspect.js";
import { isLearnedName, policyNames } from "./policies.js";
import { type ActionForm, actionBranch, buildActionForm } from "./schema-form.js";
import { explain, fetchSchema, openSession } from "./server-link.js";
import type { Frame } from "./timeline.js";
import { type PageState, writeState } from "./url-state.js";

const other = (r: "red" | "blue") => (r === "red" ? "blue" : "red");

/** The reset's opponent: a learned run is named as the server reads it (inside SEIGE_LEARNED_DIR). */
const opponentSpec = (name: string) => (isLearnedName(name) ? name : `scripted:${name}`);

export class PlayPane {
  readonly element: HTMLElement;
  private client: SeigeClient | null = null;
  private frames: Frame[] = [];
  private form: ActionForm | null = null;
  private readonly status = new StatusLine();
  private readonly formSlot = h("div", { class: "form-slot" });
  private readonly body = h("div", { class: "pane-body" });
  private readonly opponentSlot = h("div", { class: "control-slot" });

  constructor(private readonly state: PageState) {
    const role = select("Your role", "role", ["blue", "red"], state.role, (v) => {
      this.set({ role: v as "red" | "blue" });
      this.renderOpponent();
    });
    const stage = select("Stage", "play-stage", STAGES, state.stage, (v) =>
      this.set({ stage: Number(v) as 1 | 2 | 3 }),
    );
    const seed = numberInput("Seed", "play-seed", state.seed, 0, 2 ** 31 - 1, (v) =>
      this.set({ seed: v }),
    );
    this.element = h(
      "section",
      { class: "pane", id: "play", "aria-label": "Play" },
      h(
        "form",
        {
          class: "controls",
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.start();
          },
        },
        role.wrap,
        this.opponentSlot,
        stage.wrap,
        seed.wrap,
        h(
          "div",
          { class: "control" },
          h("button", { type: "submit", class: "primary", id: "start-play" }, "Start episode"),
        ),
      ),
      this.status.element,
      h(
        "div",
        { class: "play-grid" },
        h("div", { class: "play-form" }, h("h3", {}, "Your action"), this.formSlot),
        this.body,
      ),
    );
    this.renderOpponent();
    replace(
      this.body,
      h(
        "p",
        { class: "empty" },
        "Choose your role, the opponent, a stage and a seed, then press Start episode.",
      ),
    );
  }

  private set(patch: Partial<PageState>): void {
    Object.assign(this.state, patch);
    writeState(this.state);
  }

  private renderOpponent(): void {
    const opp = other(this.state.role);
    const pick = select(`Opponent (${opp})`, "opponent", policyNames(opp), this.state[opp], (v) =>
      this.set({ [opp]: v }),
    );
    replace(this.opponentSlot, pick.wrap);
  }

  /** Ends this pane's session (the pane is being replaced). */
  dispose(): void {
    void this.client?.close();
    this.client = null;
  }

  async start(): Promise<void> {
    this.status.loading("Starting an episode…");
    try {
      const schema = await fetchSchema();
      if (!this.client?.isOpen) this.client = await openSession();
      const role = this.state.role;
      const reply = await this.client.reset({
        seed: this.state.seed,
        stage: this.state.stage,
        role,
        opponent: opponentSpec(this.state[other(role)]),
      });
      this.frames = [
        {
          index: 0,
          by: "reset",
          action: null,
          observation: reply.observation,
          reward: reply.reward,
          done: reply.done,
        },
      ];
      // Only the fields the chosen action or strategy uses (web/src/action-fields.ts).
      this.form = buildActionForm(actionBranch(schema.action, role), () => void this.send(), {
        discriminator: DISCRIMINATOR[role],
        shows: (field, choice) => {
          const used = fieldsFor(role, choice);
          return used ? used.includes(field) : !NEVER_SHOWN.includes(field);
        },
      });
      replace(this.formSlot, this.form.element);
      this.status.clear();
      this.render();
    } catch (e) {
      const err = explain(e);
      this.status.error(err.message, err.kind, () => void this.start());
      this.client = null;
    }
  }

  private async send(): Promise<void> {
    const form = this.form;
    if (!form || !this.client) return;
    const last = this.frames[this.frames.length - 1];
    if (last?.done) return;
    form.clearErrors();
    const action = form.read();
    const submit = form.element.querySelector("button[type=submit]") as HTMLButtonElement;
    let reply: StepReply;
    submit.disabled = true; // one action in flight at a time
    try {
      reply = await this.client.step(action as unknown as ClientAction); // the server validates it
    } catch (e) {
      submit.disabled = false;
      const err = explain(e);
      if (err.kind === "validation") {
        const unplaced = form.showErrors(err.fields);
        this.status.error(
          unplaced.length
            ? `The server rejected the action: ${unplaced.join("; ")}`
            : "The server rejected the action: see the marked fields.",
          "validation",
        );
      } else {
        this.status.error(err.message, err.kind, () => void this.start());
        if (err.kind === "lost") this.client = null;
      }
      return;
    }
    this.frames.push({
      index: this.frames.length,
      by: "client",
      action: action as Frame["action"],
      observation: reply.observation,
      reward: reply.reward,
      done: reply.done,
    });
    if (reply.observation.error)
      this.status.error(`Invalid action (penalised): ${reply.observation.error}`, "invalid");
    else if (reply.done)
      this.status.info(`Episode over: ${reply.observation.terminal_reason ?? "done"}.`);
    else this.status.clear();
    this.render();
  }

  private render(): void {
    const n = this.frames.length;
    if (n === 0) return;
    this.element.setAttribute("data-steps", String(n - 1));
    this.element.toggleAttribute("data-done", this.frames[n - 1].done);
    const last = this.frames[n - 1];
    const role = this.state.role;
    const view = last.observation[role];
    if (this.form && view) {
      const sessions =
        "pending" in view
          ? view.pending.map((p) => p.session_id)
          : view.sessions.map((s) => s.session_id);
      this.form.suggest("session_id", sessions);
      // A session typed for an earlier tick that has nothing pending now is stale.
      this.form.dropStale("session_id", sessions);
      // Only the strategies this stage (and target) allows, as the server says.
      if ("available_strategies" in view) this.form.restrict("strategy", view.available_strategies);
      const labels =
        "pending" in view
          ? [...view.direction_labels.attack, ...view.direction_labels.approved]
          : view.direction_labels;
      this.form.suggest("direction_label", labels);
      this.form.suggest("explanation.direction_match", labels);
    }
    const submit = this.form?.element.querySelector(
      "button[type=submit]",
    ) as HTMLButtonElement | null;
    if (submit) submit.disabled = last.done;
    let own = 0;
    for (const f of this.frames) own += f.reward;
    replace(
      this.body,
      h(
        "p",
        { class: "returns", id: "play-returns" },
        last.done ? "Episode over. " : `Your turn (${role}). `,
        `Your reward so far: ${fmt(own, 4)}`,
      ),
      inspector(this.frames, n - 1, { roles: [role] }),
    );
  }
}
