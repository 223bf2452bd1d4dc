/**
 * The game of GAME.md as a state machine: `reset` builds an episode from the
 * seed, `step` applies one action of the role whose turn it is. Each tick: Red
 * acts once (its request joins the pending queue with the tick's benign
 * traffic, shuffled), Blue acts until a resolving action or its per-tick limit,
 * then the queue runs on the target in one batch (with one counterfactual per
 * blocked or patched Red request) and the tick's outcome is recorded. Visible
 * rewards are paid as they are earned; hidden-truth rewards are settled at done.
 *
 * No I/O, no clock: the only thing awaited is the `TargetSystem`, and every
 * random choice comes from an `Rng` child stream of the episode seed. Policies
 * (built-in opponents), recording and replay live above this, in src/env.
 */
import type { TargetSystem } from "../target/types.js";
import { SeigeError } from "../util/errors.js";
import { hash32 } from "../util/rng.js";
import {
  availableStrategies,
  type EpisodeConfig,
  GCG_SEARCH,
  resolveConfig,
  targetCallBudget,
} from "./config.js";
import { buildRequest, type EpisodeState, newEpisode } from "./episode.js";
import { executeTick } from "./execute.js";
import { applyRedAction, applyRedNoop, makePending } from "./red-turn.js";
import { BLUE_REWARDS, RED_REWARDS, sumRewards } from "./rewards.js";
import { checkBlueAction, checkRedAction, checkTurn, type RedPlan } from "./rules.js";
import type {
  Action,
  BlueAction,
  BlueView,
  DirectionLabel,
  EpisodeSummary,
  Observation,
  RedAction,
  RedView,
  ResetOptions,
  Role,
  StepResult,
} from "./schema.js";
import { DECOYS_PER_TICK } from "./traffic.js";
import { blueStepsLeft, blueView, buildSummary, probesLeft, redView } from "./views.js";

export { BLUE_WIN_MIN_SCORE, BLUE_WIN_STREAK, TERMINAL_REASONS } from "./execute.js";

/** Random bytes drawn 4 KB at a time: one system call per 341 ids rather than one per id. */
const ID_POOL = new Uint8Array(4092);
let idPoolUsed = ID_POOL.length;

/**
 * A fresh episode id from the platform's cryptographic generator: a stream
 * independent of every game stream, so an id reveals neither the seed nor
 * anything the seed decides (GAME.md I7). It is not part of the episode (views,
 * rewards and recordings never hold it), so determinism is unaffected.
 */
export function randomEpisodeId(): string {
  if (idPoolUsed + 12 > ID_POOL.length) {
    globalThis.crypto.getRandomValues(ID_POOL);
    idPoolUsed = 0;
  }
  const hex = Buffer.from(ID_POOL.buffer, idPoolUsed, 12).toString("hex");
  idPoolUsed += 12;
  return `ep-${hex}`;
}

export class Arena {
  private readonly target: TargetSystem;
  private readonly defaults: Partial<EpisodeConfig>;
  private readonly newId: () => string;
  private s: EpisodeState | null = null;
  private episodeId = "";

  constructor(
    target: TargetSystem,
    defaults: Partial<EpisodeConfig> = {},
    newId: () => string = randomEpisodeId,
  ) {
    this.target = target;
    this.defaults = defaults;
    this.newId = newId;
  }

  reset(options: ResetOptions = {}): Observation {
    this.s = newEpisode(resolveConfig(this.defaults, options), this.target.info);
    this.episodeId = this.s.config.episode_id ?? this.newId();
    return this.observe(null);
  }

  async step(action: Action): Promise<StepResult> {
    const s = this.state_();
    if (s.done) throw new SeigeError("execution_error", "the episode is done; call reset first");
    s.stepCount++;
    const actor = action.agent_type;
    const turnError = checkTurn(actor, s.phase);
    let error: string | null = turnError;
    if (!error) {
      error =
        actor === "red"
          ? await this.redTurn(action as RedAction)
          : await this.blueTurn(action as BlueAction);
    }
    // An out-of-turn action is charged to the role whose turn it is: that is who
    // (or whose client) produced it. Charging the named role instead would let a
    // client facing a built-in opponent end the episode by spending the
    // opponent's invalid-action allowance.
    if (error) this.invalid(turnError ? s.phase : actor, error);
    await this.playExhausted();
    const observation = this.observe(error);
    return { observation, reward: sumRewards(observation.rewards), done: observation.done };
  }

  get currentAgent(): Role {
    return this.state_().phase;
  }

  get done(): boolean {
    return this.state_().done;
  }

  view(role: Role): RedView | BlueView {
    const s = this.state_();
    return role === "red" ? redView(s, this.target.info) : blueView(s, this.target.info);
  }

  state(): {
    episode_id: string;
    step_count: number;
    tick: number;
    stage: number;
    current_agent: Role;
    done: boolean;
  } {
    const s = this.state_();
    return {
      episode_id: this.episodeId,
      step_count: s.stepCount,
      tick: s.tick,
      stage: s.config.stage,
      current_agent: s.phase,
      done: s.done,
    };
  }

  summary(): EpisodeSummary | null {
    const s = this.state_();
    return s.done ? buildSummary(s) : null;
  }

  /** The resolved settings of the current episode. */
  config(): EpisodeConfig {
    return { ...this.state_().config };
  }

  // ------------------------------------------------------------ internals

  private state_(): EpisodeState {
    if (!this.s) throw new SeigeError("execution_error", "no episode yet; call reset first");
    return this.s;
  }

  private observe(error: string | null): Observation {
    const s = this.state_();
    const role = s.phase;
    const obs: Observation = {
      current_agent: role,
      [role]: this.view(role),
      rewards: s.finalRewards ? { ...s.finalRewards[role] } : s.ledger.take(role),
      error,
      done: s.done,
      truncated: s.truncated,
      terminal_reason: s.terminalReason,
    };
    if (s.done && s.finalRewards) {
      obs.final_rewards = { red: { ...s.finalRewards.red }, blue: { ...s.finalRewards.blue } };
      obs.summary = buildSummary(s);
    }
    return obs;
  }

  private invalid(actor: Role, _error: string): void {
    const s = this.state_();
    s.ledger.add(actor, "invalid", actor === "red" ? RED_REWARDS.invalid : BLUE_REWARDS.invalid);
    s.invalid[actor]++;
  }

  /**
   * Whether `role` has spent its invalid-action allowance or its own budget.
   * Such a role no longer acts: the arena plays its no-op (GAME.md I5), so
   * quitting never ends the episode early and pending requests always run.
   */
  private exhausted(role: Role): boolean {
    const s = this.state_();
    if (s.invalid[role] >= s.config.invalid_limit) return true;
    if (role === "blue") return blueStepsLeft(s) <= 0;
    return (
      s.config.red_token_budget - s.tokensUsed <= 0 ||
      targetCallBudget(s.config.max_ticks) - s.targetCallsUsed <= 0
    );
  }

  /** Plays the no-op of every exhausted role whose turn it is, until a live role's turn or done. */
  private async playExhausted(): Promise<void> {
    const s = this.state_();
    while (!s.done && this.exhausted(s.phase)) {
      if (s.phase === "red") applyRedNoop(s, this.target.info.nLayers);
      else {
        // Blue's no-op is a monitor, and costs what a monitor costs.
        s.ledger.add("blue", "step_cost", BLUE_REWARDS.step_cost);
        await executeTick(s, this.target);
      }
    }
  }

  /** Returns an error message for an invalid action, or null once the action is applied. */
  private async redTurn(a: RedAction): Promise<string | null> {
    const s = this.state_();
    const info = this.target.info;
    const checked = checkRedAction(
      a,
      {
        available: availableStrategies(s.config.stage, s.activationAccess),
        redSessions: s.redSessions,
        nLayers: info.nLayers,
        nHeads: info.nHeads,
        tokensLeft: s.config.red_token_budget - s.tokensUsed,
        targetCallsLeft: targetCallBudget(s.config.max_ticks) - s.targetCallsUsed,
        countTokens: (t) => this.target.countTokens(t),
      },
      DECOYS_PER_TICK,
    );
    if (!checked.ok) return checked.error;
    const plan = checked.value;
    // A payload the model's context cannot hold beside the system prompt is refused here,
    // not when the tick runs (older turns are dropped to fit; the new one cannot be).
    const fits = (text: string) =>
      this.target.checkPrompt?.([
        { role: "system", content: s.systemPrompt },
        { role: "user", content: text },
      ]) ?? null;
    const tooLong = fits(a.payload);
    if (tooLong) return tooLong;
    // The suffix search may throw (a backend failure): do it before any state changes.
    const text =
      a.strategy === "soft_prompt_gcg"
        ? `${a.payload} ${await this.gcgSuffix(a, plan)}`
        : a.payload;
    const withSuffix = text === a.payload ? null : fits(text);
    if (withSuffix) return withSuffix;
    applyRedAction(this.state_(), a, plan, text, this.target.info.nLayers);
    return null;
  }

  private async gcgSuffix(a: RedAction, plan: RedPlan): Promise<string> {
    const s = this.state_();
    const cached = s.gcgCache.get(a.payload);
    if (cached !== undefined) return cached;
    const seed = hash32(`${s.config.seed}/gcg/${a.payload}`);
    const probe = makePending(
      s,
      plan.session,
      "suffix-search",
      { role: "user", content: a.payload },
      a.payload,
      [],
      null,
    );
    const suffix = await this.target.adversarialSuffix(buildRequest(s, probe, false), {
      ...GCG_SEARCH,
      seed,
    });
    s.gcgCache.set(a.payload, suffix);
    return suffix;
  }

  private async blueTurn(a: BlueAction): Promise<string | null> {
    const s = this.state_();
    const probes = probesLeft(s);
    const error = checkBlueAction(a, {
      pendingSessions: new Set(s.pending.map((p) => p.session)),
      actedSessions: s.actedSessions,
      activationAccess: s.activationAccess,
      nLayers: this.target.info.nLayers,
      probesLeftThisTick: probes.thisTick,
      probesLeftEpisode: probes.episode,
    });
    if (error) return error;
    const t = a.action_type;
    const mine = s.pending.filter((p) => p.session === a.session_id);
    if (t === "probe") {
      // Probe first: if the backend throws, no state has changed.
      const summary = await this.target.probe(buildRequest(s, mine[0], true), a.layer!);
      s.probeResults.push({ ...summary, session_id: a.session_id!, tick: s.tick });
      s.probesThisTick++;
      s.probesUsed++;
      s.ledger.add("blue", "probe_cost", BLUE_REWARDS.probe_cost);
    }
    s.blueSteps++;
    s.blueActionsThisTick++;
    s.ledger.add("blue", "step_cost", BLUE_REWARDS.step_cost);
    if (t === "flag" || t === "block" || t === "patch") {
      for (const p of mine) {
        p.marks.add(t);
        if (t === "patch")
          p.patches.push(
            (a.method ?? "project_out") === "project_out"
              ? {
                  kind: "project_out",
                  layers: [a.layer!, a.layer!],
                  label: a.direction_label as DirectionLabel,
                }
              : { kind: "mean_ablate", layer: a.layer! },
          );
      }
      s.alerts.push({
        tick: s.tick,
        session_id: a.session_id!,
        action: t,
        explanation: a.explanation ?? null,
      });
      s.actedSessions.add(a.session_id!);
    }
    if (a.explanation && (t === "flag" || t === "block" || t === "patch" || t === "explain"))
      s.explanations.set(a.session_id!, { explanation: a.explanation, tick: s.tick });
    if (t === "monitor" || t === "defer" || s.blueActionsThisTick >= s.config.blue_actions_per_tick)
      await executeTick(s, this.target);
    return null;
  }
}
