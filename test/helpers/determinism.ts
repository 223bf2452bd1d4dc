// Like PettingZoo's seed_test: run the same seeded episodes twice on fresh envs and
// compare what they recorded, byte for byte.
import { resolvePolicy } from "../../src/agents/index.js";
import { playEpisode, Recorder, SeigeEnv } from "../../src/env/index.js";
import type { EnvResetOptions } from "../../src/env/options.js";
import type { TargetSystem } from "../../src/target/types.js";

export interface RecordSpec {
  red: string;
  blue: string;
  seeds: number[];
  options?: Omit<EnvResetOptions, "seed" | "role" | "opponent">;
}

/** Plays the episodes with scripted policies on a fresh env and returns the JSONL. */
export async function recordEpisodes(target: TargetSystem, spec: RecordSpec): Promise<string> {
  const lines: string[] = [];
  const env = new SeigeEnv(target);
  new Recorder(target, (l) => lines.push(l)).attach(env);
  const red = resolvePolicy("red", spec.red);
  const blue = resolvePolicy("blue", spec.blue);
  for (const seed of spec.seeds) await playEpisode(env, red, blue, { ...spec.options, seed });
  return `${lines.join("\n")}\n`;
}

/** Records twice with fresh targets; returns both texts for the caller to compare. */
export async function checkDeterminism(
  makeTarget: () => Promise<TargetSystem> | TargetSystem,
  spec: RecordSpec,
) {
  const a = await recordEpisodes(await makeTarget(), spec);
  const b = await recordEpisodes(await makeTarget(), spec);
  return { a, b };
}
