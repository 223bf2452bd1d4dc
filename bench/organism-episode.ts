/**
 * Seconds per episode on the model organism (issue 13, item 5: an episode in ≤ 2 s,
 * memory ≤ 1 GB): whole episodes of the game played in process on the lens target
 * over models/organism, per stage and pairing, each episode timed by wall clock
 * and by CPU (process.cpuUsage, ORT's threads included). Loading the model is
 * timed on its own and is not in the per-episode figures. The pairings: the
 * default of `seige play` (Red steer, Blue probe-threshold), where Blue blocks
 * most steered requests, and Red steer against allow-all, where every steered
 * request runs: its whole prompt is prefilled again under the steer and its
 * reply decoded. Also the engine's share: CPU-seconds of prefill from block 0, of
 * rebuilds from a kept stream, and of decode. Episode length varies with the seed far more
 * than with the build (0.4–4.1 s at stage 2), so the default is 16 episodes: a median of 4
 * measures those four seeds.
 *
 *   npx tsx bench/organism-episode.ts [--episodes 16] [--stages 1,2,3] [--blues probe-threshold,allow-all]
 *                                     [--threads N] [--seed 200]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import type { Stage } from "../src/arena/schema.js";
import { playEpisode, SeigeEnv } from "../src/env/index.js";
import { Engine } from "../src/lens/runtime/engine.js";
import { loadOrganismTarget } from "../src/target/lens/organism.js";
import { benchHeader, median } from "./env-info.js";

const { values } = parseArgs({
  options: {
    episodes: { type: "string", default: "16" },
    stages: { type: "string", default: "1,2,3" },
    blues: { type: "string", default: "probe-threshold,allow-all" },
    threads: { type: "string" },
    seed: { type: "string", default: "200" },
  },
});
const episodes = Number(values.episodes);
const stages = values.stages!.split(",").map(Number) as Stage[];
const blues = values.blues!.split(",");
const threads = values.threads === undefined ? undefined : Number(values.threads);
const firstSeed = Number(values.seed);

const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
};

// Engine CPU by kind of step: a decode step feeds one column per row; a rebuild starts at
// a middle block from a kept residual stream (src/lens/runtime/streams.ts).
const engineCpu = { prefill: 0, rebuild: 0, decode: 0 };
const step = Engine.prototype.step;
Engine.prototype.step = async function (this: Engine, input) {
  const t0 = process.cpuUsage();
  try {
    return await step.call(this, input);
  } finally {
    const kind = input.ids.length === input.batch ? "decode" : input.from ? "rebuild" : "prefill";
    engineCpu[kind] += cpuSeconds(t0);
  }
};

console.log(
  benchHeader(
    `npx tsx bench/organism-episode.ts --episodes ${episodes} --stages ${values.stages} --blues ${values.blues}${threads === undefined ? "" : ` --threads ${threads}`} --seed ${firstSeed}`,
    { target: "organism (lens, models/organism)", "ort threads": threads ?? "ORT's default" },
  ),
);
console.log(
  `# load average at start: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ")}`,
);

const w0 = performance.now();
const c0 = process.cpuUsage();
const target = await loadOrganismTarget(threads === undefined ? {} : { threads });
console.log(
  `model load: ${((performance.now() - w0) / 1000).toFixed(2)} s wall, ${cpuSeconds(c0).toFixed(2)} CPU-s`,
);
const env = new SeigeEnv(target);

console.log(
  "red    blue              stage  wall s/episode median (range)  CPU-s/episode median  prefill / rebuild / decode CPU-s per episode  peak RSS MiB  goal",
);
for (const blue of blues) {
  for (const stage of stages) {
    const walls: number[] = [];
    const cpus: number[] = [];
    engineCpu.prefill = 0;
    engineCpu.rebuild = 0;
    engineCpu.decode = 0;
    for (let e = 0; e < episodes; e++) {
      const seed = firstSeed + e;
      const red = resolvePolicy("red", "steer");
      const b = resolvePolicy("blue", blue);
      const t = performance.now();
      const c = process.cpuUsage();
      await playEpisode(env, red, b, { seed, stage });
      walls.push((performance.now() - t) / 1000);
      cpus.push(cpuSeconds(c));
    }
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(
      `${"steer".padEnd(6)} ${blue.padEnd(17)} ${String(stage).padEnd(6)} ` +
        `${`${median(walls).toFixed(2)} (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)})`.padEnd(31)} ` +
        `${median(cpus).toFixed(2).padEnd(21)} ` +
        `${[engineCpu.prefill, engineCpu.rebuild, engineCpu.decode]
          .map((x) => (x / episodes).toFixed(2))
          .join(" / ")
          .padEnd(45)} ` +
        `${rss.toFixed(0).padEnd(13)} <= 2 s, <= 1024 MiB`,
    );
  }
}
await target.close?.();
