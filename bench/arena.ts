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
 * The "free target" rows are a ceiling, not a figure of seige: the same loop
 * against a target that answers at no cost (one fixed helpful reply, each layer's
 * first probe summary reused), so they show what the env, the rules and the
 * scripted policies cost without the sim's generation. The game plays
 * differently there (no leaks, no refusals); read them as the step's cost
 * outside the target.
 *
 *   npx tsx bench/arena.ts [--reps 7] [--episodes 40]
 */
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import { playEpisode, SeigeEnv } from "../src/env/index.js";
import { createTarget, type TargetSystem } from "../src/target/index.js";
import type { ProbeSummary } from "../src/vocab.js";
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

/** The ceiling's target: the sim's shape, a fixed reply, each layer's first probe summary. */
async function freeTarget(): Promise<TargetSystem> {
  const sim = await createTarget();
  const summaries = new Map<number, ProbeSummary>();
  return {
    info: sim.info,
    countTokens: (text) => sim.countTokens(text),
    adversarialSuffix: (request, options) => sim.adversarialSuffix(request, options),
    generate: async (requests) =>
      requests.map((r) => ({ id: r.id, text: FREE_REPLY, tokens: sim.countTokens(FREE_REPLY) })),
    probe: async (request, layer) => {
      let s = summaries.get(layer);
      if (s === undefined) {
        s = await sim.probe(request, layer);
        summaries.set(layer, s);
      }
      return s;
    },
  };
}
const FREE_REPLY = "Sure, I can help with that. Here is a short answer to your question.";

type Backend = "sim" | "free";
const targetOf = (backend: Backend) => (backend === "sim" ? createTarget() : freeTarget());

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

async function measure(red: string, blue: string, stage: 1 | 2 | 3, backend: Backend = "sim") {
  const target = await targetOf(backend);
  // Target calls per step: each generated request and each probe is one request's work in the sim.
  let calls = 0;
  const generate = target.generate.bind(target);
  const probeCall = target.probe.bind(target);
  target.generate = (requests) => {
    calls += requests.length;
    return generate(requests);
  };
  target.probe = (request, layer) => {
    calls++;
    return probeCall(request, layer);
  };
  const env = new SeigeEnv(target);
  const r = resolvePolicy("red", red);
  const b = resolvePolicy("blue", blue);
  const steps: number[] = [];
  const ticks: number[] = [];
  const cpu: number[] = [];
  await playEpisode(env, r, b, { seed: 0, stage }); // warm-up (JIT)
  let allSteps = 0;
  calls = 0;
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
    allSteps += nSteps;
    cpu.push(nSteps / ((used.user + used.system) / 1e6));
    steps.push(nSteps / seconds);
    ticks.push(nTicks / seconds);
  }
  return {
    steps: stat(steps),
    ticks: stat(ticks),
    cpu: stat(cpu),
    bytes: backend === "sim" ? await observationBytes(red, blue, stage) : Number.NaN,
    callsPerStep: calls / allSteps,
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
  `${"pairing".padEnd(32)}stage  ${"steps/s median (range)".padEnd(24)}${"ticks/s median (range)".padEnd(24)}bytes/obs  x original  steps per CPU-s  target calls/step`,
);
for (const stage of [1, 2, 3] as const) {
  const base = await measure("steer", "allow-all", stage);
  const probe = await measure("steer", "probe-threshold", stage);
  const freeBase = await measure("steer", "allow-all", stage, "free");
  const freeProbe = await measure("steer", "probe-threshold", stage, "free");
  const rows = [
    ["steer vs allow-all (baseline)", base],
    ["steer vs probe-threshold", probe],
    ["ceiling: allow-all, free target", freeBase],
    ["ceiling: probe-threshold, free", freeProbe],
  ] as const;
  for (const [name, m] of rows)
    console.log(
      `${name.padEnd(32)}${String(stage).padEnd(7)}${cell(m.steps)}${cell(m.ticks)}` +
        `${(Number.isNaN(m.bytes) ? "-" : m.bytes.toFixed(0)).padEnd(11)}${(m.steps.median / ORIGINAL_STEPS_PER_S).toFixed(2).padEnd(12)}` +
        m.cpu.median.toFixed(0).padEnd(17) +
        m.callsPerStep.toFixed(2),
    );
  const ratio = (probe.ticks.median / base.ticks.median).toFixed(2);
  const simShare = (m: Awaited<ReturnType<typeof measure>>, free: typeof m) =>
    (100 * (1 - m.cpu.median / free.cpu.median)).toFixed(0);
  console.log(
    `  ticks/s, probe-threshold / baseline: ${ratio}; the target's share of a step's CPU ` +
      `(1 − sim / free, steps per CPU-s): ${simShare(base, freeBase)}% allow-all, ${simShare(probe, freeProbe)}% probe-threshold`,
  );
}
console.log(
  `goal (issue 16): >= 20,000 steps/s and >= 10x the original's ${ORIGINAL_STEPS_PER_S} steps/s`,
);
