/**
 * The environment as clients see it (ARCHITECTURE.md, src/env): an arena plus,
 * optionally, a built-in opponent that plays the other role inside the env, so a
 * trainer sees a plain single-agent environment. Every arena transition (client's
 * or opponent's) is reported to `onTransition`, which is how the recorder and the
 * replayer see the episode. The rules never import a policy; this layer may.
 *
 * A reset that fails changes nothing: the new episode is built on a fresh
 * arena with its opponent and role held aside, and replaces the running one
 * only once it stands (issue 11, item 6).
 */
import type { Policy } from "../agents/types.js";
import { Arena } from "../arena/arena.js";
import type { Action, EpisodeSummary, Observation, Role, StepResult } from "../arena/schema.js";
import type { TargetSystem } from "../target/types.js";
import { SeigeError } from "../util/errors.js";
import { makeOpponent, type OpponentConfig, opponentConfigFromEnv } from "./opponents.js";
import type { EnvResetOptions } from "./options.js";

export interface Transition {
  /** who chose the action: the connected client or the built-in opponent */
  by: "client" | "opponent";
  action: Action;
  result: StepResult;
}

export interface EnvHooks {
  onReset?(options: EnvResetOptions, result: StepResult): void;
  onTransition?(t: Transition): void;
}

const other = (r: Role): Role => (r === "red" ? "blue" : "red");

function sumRewards(rewards: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(rewards)) s += v;
  return Math.round(s * 1e6) / 1e6;
}

export class SeigeEnv {
  private current: Arena;
  private opponent: Policy | null = null;
  private clientRole: Role | null = null;
  private hooks: EnvHooks;
  private started = false;

  constructor(
    readonly target: TargetSystem,
    hooks: EnvHooks = {},
    /** where `replay:` files may come from and which hosts `llm:` opponents may call */
    readonly opponents: OpponentConfig = opponentConfigFromEnv(),
  ) {
    this.current = new Arena(target);
    this.hooks = hooks;
  }

  /** The running episode's arena (replaced by each successful reset). */
  get arena(): Arena {
    return this.current;
  }

  setHooks(hooks: EnvHooks): void {
    this.hooks = hooks;
  }

  /** The client's role with an opponent, or null in two-player mode. */
  get role(): Role | null {
    return this.clientRole;
  }

  get done(): boolean {
    return this.started && this.arena.done;
  }

  async reset(options: EnvResetOptions = {}): Promise<StepResult> {
    const { role, opponent: spec = "none", ...arenaOptions } = options;
    let clientRole: Role | null = null;
    let opponent: Policy | null = null;
    if (spec === "none") {
      if (role !== undefined) {
        throw new SeigeError(
          "validation_error",
          'option "role" needs an opponent, e.g. opponent: "scripted:probe-threshold"',
          { loc: ["role"] },
        );
      }
    } else {
      clientRole = role ?? "red";
      // Seeded from the episode seed inside makeOpponent: same seed ⇒ same opponent actions.
      opponent = await makeOpponent(
        spec,
        other(clientRole),
        arenaOptions.seed ?? 0,
        this.opponents,
      );
    }
    const arena = new Arena(this.target);
    const observation = arena.reset(arenaOptions);
    let result: StepResult = {
      observation,
      reward: sumRewards(observation.rewards),
      done: observation.done,
    };
    this.hooks.onReset?.(options, result);
    result = await this.runOpponent(arena, opponent, result);
    // The new episode stands: only now does it replace the running one.
    this.current = arena;
    this.opponent = opponent;
    this.clientRole = clientRole;
    this.started = true;
    return this.forClient(result);
  }

  async step(action: Action): Promise<StepResult> {
    if (!this.started) throw new SeigeError("execution_error", "no episode yet: call reset first");
    if (this.arena.done)
      throw new SeigeError("execution_error", "the episode is done; call reset first");
    let result = await this.arena.step(action);
    this.hooks.onTransition?.({ by: "client", action, result });
    result = await this.runOpponent(this.arena, this.opponent, result);
    return this.forClient(result);
  }

  /** The public, non-hidden state (for /state). */
  state() {
    return { ...this.arena.state(), role: this.clientRole, opponent: this.opponent?.name ?? null };
  }

  summary(): EpisodeSummary | null {
    return this.arena.summary();
  }

  /** The current observation of the acting role, without stepping (the `observe` tool). */
  observe(): Observation["red"] | Observation["blue"] {
    return this.arena.view(this.clientRole ?? this.arena.currentAgent);
  }

  /** Lets the opponent act until it is the client's turn or the episode ends. */
  private async runOpponent(
    arena: Arena,
    opponent: Policy | null,
    result: StepResult,
  ): Promise<StepResult> {
    while (opponent && !result.done && result.observation.current_agent === opponent.role) {
      const view = result.observation[opponent.role];
      if (!view) throw new Error(`arena gave the ${opponent.role} turn without its view`);
      // biome-ignore lint/suspicious/noExplicitAny: the view matches the policy's role by the check above
      const action = (await opponent.act(view as any)) as Action;
      result = await arena.step(action);
      this.hooks.onTransition?.({ by: "opponent", action, result });
    }
    return result;
  }

  /** With an opponent, the client always sees its own role's view and rewards. */
  private forClient(result: StepResult): StepResult {
    const role = this.clientRole;
    if (!role || result.observation.current_agent === role) return result;
    // Only at done can the last transition belong to the opponent.
    const { red: _r, blue: _b, ...rest } = result.observation;
    const rewards = result.observation.final_rewards?.[role] ?? {};
    const observation: Observation = {
      ...rest,
      current_agent: role,
      [role]: this.arena.view(role),
      rewards,
    };
    return { observation, reward: sumRewards(rewards), done: result.done };
  }
}
