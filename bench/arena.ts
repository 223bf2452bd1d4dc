/**
 * In-process episode steps per second with the sim backend (issue 3): whole
 * episodes played by scripted policies through the env, timed per repetition;
 * prints the median and range of env steps/s (every Red and Blue action) and of
 * ticks/s (each tick is one batched target call). Baseline in the same run: the
 * same Red against allow-all Blue (one Blue action per tick, no probes); the
 * ratio row compares ticks/s, the cost of a tick with probes and blocks. Also
 * the mean size of an observation as JSON (what a wire reply carries), from one
 * untimed episode, and issue 16's goal beside the figures: ≥ 20,000 steps/s,
 * ≥ 10x the original Python project's 2,132 steps/s in process. Steps per CPU
 * second (process.cpuUsage, all threads) moves less with a shared machine's load
 * than steps per wall second, so compare builds with it.
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

type Stat = { median: number; min: number; max: number };
const stat = (xs: number[]): Stat => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
});

/** The original Python project's in-process steps/s (issue 16's anchor). */
const ORIGINAL_STEPS_PER_S = 2132;

/** Mean JSON bytes of the observations of one untimed episode (seed 0). */
async function observationBytes(red: string, blue: string, stage: 1 | 2 | 3): Promise<number> {
  const env = new SeigeEnv(await createTarget());
  let bytes = 0;
  let n = 0;
  env.setHooks({
    onTransition: (t) => {
      bytes += Buffer.byteLength(JSON.stringify(t.result.observation));
      n++;
    },
  });
  await playEpisode(env, resolvePolicy("red", red), resolvePolicy("blue", blue), {
    seed: 0,
    stage,
  });
  return bytes / Math.max(1, n);
}

async function measure(red: string, blue: string, stage: 1 | 2 | 3) {
  const env = new SeigeEnv(await createTarget());
  const r = resolvePolicy("red", red);
  const b = resolvePolicy("blue", blue);
  const steps: number[] = [];
  const ticks: number[] = [];
  const cpu: number[] = [];
  await playEpisode(env, r, b, { seed: 0, stage }); // warm-up (JIT)
  for (let rep = 0; rep < reps; rep++) {
    let nSteps = 0;
    let nTicks = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < episodes; i++) {
      const o = await playEpisode(env, r, b, { seed: rep * 1000 + i, stage });
      nSteps += o.steps;
      nTicks += o.summary.ticks;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const used = process.cpuUsage(c0);
    cpu.push(nSteps / ((used.user + used.system) / 1e6));
    steps.push(nSteps / seconds);
    ticks.push(nTicks / seconds);
  }
  return {
    steps: stat(steps),
    ticks: stat(ticks),
    cpu: stat(cpu),
    bytes: await observationBytes(red, blue, stage),
  };
}

const cell = (m: Stat) =>
  `${m.median.toFixed(0).padStart(7)} (${m.min.toFixed(0)}–${m.max.toFixed(0)})`.padEnd(24);

console.log(
  benchHeader(`npx tsx bench/arena.ts --reps ${reps} --episodes ${episodes}`, {
    backend: "sim",
    reps,
    episodes,
  }),
);
console.log(
  `${"pairing".padEnd(32)}stage  ${"steps/s median (range)".padEnd(24)}${"ticks/s median (range)".padEnd(24)}bytes/obs  x original  steps per CPU-s`,
);
for (const stage of [1, 2, 3] as const) {
  const base = await measure("steer", "allow-all", stage);
  const probe = await measure("steer", "probe-threshold", stage);
  const rows = [
    ["steer vs allow-all (baseline)", base],
    ["steer vs probe-threshold", probe],
  ] as const;
  for (const [name, m] of rows)
    console.log(
      `${name.padEnd(32)}${String(stage).padEnd(7)}${cell(m.steps)}${cell(m.ticks)}` +
        `${m.bytes.toFixed(0).padEnd(11)}${(m.steps.median / ORIGINAL_STEPS_PER_S).toFixed(2).padEnd(12)}` +
        m.cpu.median.toFixed(0),
    );
  const ratio = (probe.ticks.median / base.ticks.median).toFixed(2);
  console.log(`  ticks/s, probe-threshold / baseline: ${ratio}`);
}
console.log(
  `goal (issue 16): >= 20,000 steps/s and >= 10x the original's ${ORIGINAL_STEPS_PER_S} steps/s`,
);
