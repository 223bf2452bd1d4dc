/**
 * A learned exploit search beside the hand-written zoo (issue 15, GAME.md I2 and
 * I1): the built-in learner (src/learn, REINFORCE with a value baseline) trains a
 * Blue that reads only the surface of its view, against the skilled Blue's
 * opponent, on training seeds, through src/env like every audit policy. Its
 * view is redacted before the policy reads it:
 *
 * - no probes: no probe results, and no activation access (so it cannot probe
 *   or patch; it monitors, flags or blocks, with an explanation it learns);
 * - no content: every request's text is replaced by as many 'x' as it had
 *   characters (length and word lengths survive, no word does), and a logged
 *   reply by whether it looks like a refusal.
 *
 * What is left is what I2 calls surface: length, words, queue position, pending
 * requests per session, refusals in the logs, tick, budgets and Blue's own
 * alerts. If such a learner beats probe-threshold on held-out seeds, a trainer
 * would find the same trick, and I2 fails.
 */
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { BlueView, Stage } from "../arena/schema.js";
import type { SeigeEnv } from "../env/index.js";
import { LearnedBlue, netOf, train } from "../learn/index.js";
import { looksLikeRefusal } from "./features.js";

const blank = (text: string) => text.replace(/\S/g, "x");

/** Blue's view with the probes and the text content taken out (see above). */
export function surfaceView(view: BlueView): BlueView {
  return {
    ...view,
    pending: view.pending.map((p) => ({ ...p, request: blank(p.request) })),
    logs: view.logs.map((l) => ({
      ...l,
      request: blank(l.request),
      response: looksLikeRefusal(l.response) ? "sorry" : "",
    })),
    probe_results: [],
    activation_access: false,
  };
}

export interface SurfaceLearner {
  /** the trained policy, greedy, reading the surface view only */
  make(): BluePolicy;
  episodes: number;
  /** mean training return over the last quarter of updates */
  lateReturn: number;
}

export async function trainSurfaceLearner(
  env: SeigeEnv,
  red: () => RedPolicy,
  stage: Stage,
  episodes: number,
  seed: number,
): Promise<SurfaceLearner> {
  const returns: number[] = [];
  const c = await train({
    role: "blue",
    opponentName: red().name,
    makeOpponent: red,
    target: env.target,
    // through the env, as any client plays (a two-player episode, no opponent inside)
    game: {
      reset: (o) => env.reset({ ...o, opponent: "none" }),
      step: (a) => env.step(a),
      summary: () => env.summary(),
    },
    blueView: surfaceView,
    stage,
    seed,
    episodes,
    onUpdate: (m) => returns.push(m.mean_return),
  });
  const late = returns.slice(-Math.max(1, Math.floor(returns.length / 4)));
  return {
    make: () => new LearnedBlue("learned-surface", netOf(c.policy), true, surfaceView),
    episodes,
    lateReturn: late.reduce((s, x) => s + x, 0) / late.length,
  };
}
