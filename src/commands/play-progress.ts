/**
 * Per-tick progress for `seige play`: wraps the two policies so that each view
 * a policy is asked to act on reports its tick, which gives "episode 3 of 10,
 * tick 6 of 12" without a hook in the env (the env's hooks belong to the
 * recorder). The wrapped policies act exactly as the originals: same calls,
 * same order, same results.
 */
import type { BluePolicy, RedPolicy } from "../agents/types.js";

export function trackTicks<R extends RedPolicy, B extends BluePolicy>(
  red: R,
  blue: B,
  onTick: (tick: number, maxTicks: number) => void,
): { red: RedPolicy; blue: BluePolicy } {
  return {
    red: {
      role: "red",
      name: red.name,
      reset: (seed) => red.reset(seed),
      act: (view) => {
        onTick(view.tick, view.max_ticks);
        return red.act(view);
      },
    },
    blue: {
      role: "blue",
      name: blue.name,
      reset: (seed) => blue.reset(seed),
      act: (view) => {
        onTick(view.tick, view.max_ticks);
        return blue.act(view);
      },
    },
  };
}
