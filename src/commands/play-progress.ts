/**
 * Per-tick progress for `seige play`: wraps the two policies so that each view
 * a policy is asked to act on reports its tick, which gives "episode 3 of 10,
 * tick 6 of 12" without a hook in the env (the env's hooks belong to the
 * recorder). The wrapped policies act exactly as the originals: same calls,
 * same order, same results.
 */
import type { BluePolicy, RedPolicy } from "../agents/types.js";

/** `policy`, reporting the tick of every view it acts on. */
function tracked<P extends RedPolicy | BluePolicy>(
  policy: P,
  onTick: (tick: number, maxTicks: number) => void,
): P {
  const act = (view: Parameters<P["act"]>[0]) => {
    onTick(view.tick, view.max_ticks);
    // Called on the policy itself: scripted policies keep their state on `this`.
    return (policy.act as (v: typeof view) => ReturnType<P["act"]>).call(policy, view);
  };
  const wrapped = {
    role: policy.role,
    name: policy.name,
    reset: (s: number) => policy.reset(s),
    act,
  };
  return wrapped as unknown as P;
}

export function trackTicks(
  red: RedPolicy,
  blue: BluePolicy,
  onTick: (tick: number, maxTicks: number) => void,
): { red: RedPolicy; blue: BluePolicy } {
  return { red: tracked(red, onTick), blue: tracked(blue, onTick) };
}
