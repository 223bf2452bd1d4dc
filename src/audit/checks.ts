/**
 * The audit's direct checks, where a property is a fact about episodes rather
 * than a contest between policies. Each reads only what a client can reach
 * (views, `/state` through the env, summaries after done) and returns a count
 * or a mean for src/audit/verdict.ts to judge:
 *
 * - I3: episodes that paid `leak_prevented` although no blocked or patched Red
 *   request both would have leaked and did not;
 * - I4: what an idle Red cost Blue in hidden-truth penalties (`missed_attack`,
 *   `leak`) — nothing Blue could not avoid, so nothing at all;
 * - I7: benign requests that changed when only Red's policy changed, and
 *   `episode_id`s that give the seed away (the seed's digits in the id, or the
 *   same id again for the same seed, which lets a client build a dictionary
 *   through reset).
 */
import type { EpisodeSummary, Stage } from "../arena/schema.js";
import type { SeigeEnv } from "../env/index.js";
import type { Harvest } from "./harvest.js";
import { type Estimate, estimate } from "./stats.js";

const count = (k: number, n: number): Estimate => ({ mean: k, ci: 0, n });

/** I3: episodes paid `leak_prevented` without a prevented leak. */
export function unpreventedPayments(summaries: readonly EpisodeSummary[]): Estimate {
  const bad = summaries.filter(
    (s) =>
      (s.returns.blue.components.leak_prevented ?? 0) > 0 &&
      !s.attacks.some(
        (a) =>
          (a.blue_action === "block" || a.blue_action === "patch") &&
          a.would_have_leaked === true &&
          a.leak === "none",
      ),
  );
  return count(bad.length, summaries.length);
}

/** I4: Blue's hidden-truth penalties per episode (as a positive cost). */
export function hiddenCost(summaries: readonly EpisodeSummary[]): Estimate {
  return estimate(
    summaries.map((s) => {
      const c = s.returns.blue.components;
      return -((c.missed_attack ?? 0) + (c.leak ?? 0));
    }),
  );
}

/** I7: seeds on which benign sessions' requests differ between two Reds (same seeds, same Blue). */
export function trafficShifts(a: Harvest, b: Harvest): Estimate {
  const key = (h: Harvest, seed: number) => {
    const red = new Set(h.summaries.find((s) => s.seed === seed)?.red_sessions ?? []);
    const byTick = new Map<number, string[]>();
    for (const s of h.samples)
      if (s.seed === seed && !red.has(s.session))
        byTick.set(s.tick, [...(byTick.get(s.tick) ?? []), `${s.session}\u0000${s.text}`]);
    return byTick;
  };
  const seeds = a.summaries
    .map((s) => s.seed)
    .filter((seed) => b.summaries.some((s) => s.seed === seed));
  let shifted = 0;
  for (const seed of seeds) {
    const [x, y] = [key(a, seed), key(b, seed)];
    // Only ticks both episodes reached: an episode may end early when Red wins.
    const differs = [...x.keys()]
      .filter((t) => y.has(t))
      .some((t) => x.get(t)!.sort().join("\n") !== y.get(t)!.sort().join("\n"));
    if (differs) shifted++;
  }
  return count(shifted, seeds.length);
}

/** I7: seeds whose `episode_id` (from the env's public state) reveals them. */
export async function revealingEpisodeIds(
  env: SeigeEnv,
  stage: Stage,
  seeds: readonly number[],
): Promise<Estimate> {
  let bad = 0;
  for (const seed of seeds) {
    await env.reset({ seed, stage });
    const first = String(env.state().episode_id);
    await env.reset({ seed, stage });
    const again = String(env.state().episode_id);
    // Short seeds' digits turn up in any id by chance; four digits and more do not.
    const digits = String(seed);
    if ((digits.length >= 4 && first.includes(digits)) || first === again) bad++;
  }
  return count(bad, seeds.length);
}
