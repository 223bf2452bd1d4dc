// Shared drivers for the integrity tests (GAME.md I1–I8): play a scripted or
// hand-written policy pair on the sim through the in-process env, on seed ranges
// no other test uses (7000–7999), and compare means with 95% intervals.
import { resolvePolicy } from "../../src/agents/index.js";
import type { BluePolicy, RedPolicy } from "../../src/agents/types.js";
import type { EpisodeSummary, Stage } from "../../src/arena/schema.js";
import { playEpisode, SeigeEnv } from "../../src/env/index.js";
import { meanCi95 } from "../../src/env/metrics.js";
import { createTarget } from "../../src/target/index.js";

export const seedsFrom = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => first + i);

let envPromise: Promise<SeigeEnv> | null = null;
export function sharedEnv(): Promise<SeigeEnv> {
  envPromise ??= createTarget().then((t) => new SeigeEnv(t));
  return envPromise;
}

export type PolicyRef<P> = string | (() => P);

export async function play(
  red: PolicyRef<RedPolicy>,
  blue: PolicyRef<BluePolicy>,
  stage: Stage,
  seeds: number[],
): Promise<EpisodeSummary[]> {
  const env = await sharedEnv();
  const r = typeof red === "string" ? resolvePolicy("red", red) : red();
  const b = typeof blue === "string" ? resolvePolicy("blue", blue) : blue();
  const out: EpisodeSummary[] = [];
  for (const seed of seeds) out.push((await playEpisode(env, r, b, { seed, stage })).summary);
  return out;
}

export function returnsOf(summaries: EpisodeSummary[], role: "red" | "blue") {
  const s = meanCi95(summaries.map((x) => x.returns[role].total));
  return { mean: s.mean_return, lo: s.return_ci95[0], hi: s.return_ci95[1] };
}

/**
 * Paired version, for two policies played on the same seeds against the same
 * (seeded) opponent: the mean per-seed difference a − b and its 95% interval.
 * Traffic and opponent noise cancel seed by seed, as in the audit's verdicts.
 */
export function pairedGap(a: readonly number[], b: readonly number[]) {
  if (a.length !== b.length || a.length < 2) throw new Error("paired samples of unequal size");
  const d = a.map((x, i) => x - b[i]);
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
  const half = (1.96 * sd) / Math.sqrt(d.length);
  return { mean, lo: mean - half, hi: mean + half };
}

/** a beats b: a's 95% interval lies above b's mean and the gap is at least `margin`. */
export function beats(
  a: { mean: number; lo: number },
  b: { mean: number; hi: number },
  margin = 0,
): boolean {
  return a.lo > b.mean && a.mean - b.mean > margin;
}
