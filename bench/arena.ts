/**
 * In-process episode steps per second with the sim backend (issue 3): whole
 * episodes played by scripted policies through the env, timed per repetition;
 * prints the median and range. Baseline in the same run: the same episodes with
 * allow-all Blue (no probes), so the probe path's cost shows as a ratio.
 *
 *   npx tsx bench/arena.ts [--reps 7] [--episodes 40]
 */
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import { playEpisode, SeigeEnv } from "../src/env/index.js";
import { createTarget } from "../src/target/index.js";
import { benchHeader, median } from "./env-info.js";

const { values } = parseArgs({
  options: { reps: { type: "string", default: "7" }, episodes: { type: "string", default: "40" } },
});
const reps = Number(values.reps);
const episodes = Number(values.episodes);

async function measure(red: string, blue: string, stage: 1 | 2 | 3) {
  const env = new SeigeEnv(await createTarget());
  const r = resolvePolicy("red", red);
  const b = resolvePolicy("blue", blue);
  const rates: number[] = [];
  await playEpisode(env, r, b, { seed: 0, stage }); // warm-up (JIT)
  for (let rep = 0; rep < reps; rep++) {
    let steps = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < episodes; i++)
      steps += (await playEpisode(env, r, b, { seed: rep * 1000 + i, stage })).steps;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(steps / seconds);
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}

console.log(
  benchHeader(`npx tsx bench/arena.ts --reps ${reps} --episodes ${episodes}`, {
    backend: "sim",
    reps,
    episodes,
  }),
);
console.log("pairing                              stage  steps/s (median)  range");
for (const stage of [1, 2, 3] as const) {
  const base = await measure("steer", "allow-all", stage);
  const probe = await measure("steer", "probe-threshold", stage);
  const fmt = (name: string, m: { median: number; min: number; max: number }) =>
    `${name.padEnd(37)}${String(stage).padEnd(7)}${m.median.toFixed(0).padStart(16)}  ${m.min.toFixed(0)}–${m.max.toFixed(0)}`;
  console.log(fmt("steer vs allow-all (baseline)", base));
  console.log(fmt("steer vs probe-threshold", probe));
  console.log(
    `${"  ratio probe-threshold / baseline".padEnd(44)}${(probe.median / base.median).toFixed(2).padStart(16)}`,
  );
}
