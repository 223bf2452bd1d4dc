/**
 * What every part of one stage's audit shares: the runner, the env (for the
 * `/state` check), the stage, whether activation actions exist there, the
 * settings, the constant explanation fitted for the stage, and the progress log.
 * Also the names of the reference policies the bars are made of.
 */
import { resolvePolicy, SCRIPTED_RED } from "../agents/index.js";
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { Stage } from "../arena/schema.js";
import type { SeigeEnv } from "../env/index.js";
import type { ConstantExplanation } from "./constant-explanation.js";
import { IdleRed } from "./red-zoo.js";
import type { Runner } from "./runner.js";
import type { AuditSettings } from "./settings.js";

/** The skilled baselines every trick is measured against. */
export const SKILLED = { blue: "probe-threshold", red: "steer" } as const;
/** Each role's do-nothing policy (GAME.md I5): the floor a quitter must not beat. */
export const DO_NOTHING = { blue: "allow-all", red: "idle" } as const;
/** The degenerate scripted Blues that I8 names. */
export const DEGENERATE_BLUES = ["allow-all", "block-all", "flag-all"] as const;

export interface StageContext {
  runner: Runner;
  env: SeigeEnv;
  stage: Stage;
  /** activation strategies, probes and patches exist at this stage on this target */
  activations: boolean;
  settings: AuditSettings;
  /** the best constant explanation fitted for this stage; every cheap Blue attaches it */
  explanation: ConstantExplanation;
  log(message: string): void;
}

export const scriptedRed = (name: string) => (): RedPolicy => resolvePolicy("red", name);
export const scriptedBlue = (name: string) => (): BluePolicy => resolvePolicy("blue", name);

/**
 * Red's do-nothing policy: the scripted `idle` Red where the agents have one
 * (small talk from the benign generator), else the audit's own, whose small talk
 * is harvested from Blue's view on training seeds.
 */
export const idleRed = (talk: readonly string[]): RedPolicy =>
  DO_NOTHING.red in SCRIPTED_RED ? resolvePolicy("red", DO_NOTHING.red) : new IdleRed(talk);

/**
 * The Reds Blue's side is played against: every scripted Red but the idle one.
 * Against a Red that never attacks there is nothing to detect, so "skill beats
 * tricks" has no content there; what I4 asks of it (it costs Blue nothing) is
 * checked on Red's side.
 */
export const attackingReds = (): string[] =>
  Object.keys(SCRIPTED_RED).filter((n) => n !== DO_NOTHING.red);
