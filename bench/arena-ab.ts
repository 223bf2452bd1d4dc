/**
 * Two builds of seige in one process, in-process steps per CPU-second, their
 * repetitions interleaved (A then B, B then A, …): on a shared, loaded machine the ratio
 * of two builds measured side by side like this moves far less than two
 * separate `bench/arena.ts` runs (docs/speed.md, "Figures of the second pass").
 * Each repetition plays Red steer against Blue probe-threshold and allow-all at
 * stages 1–3, `--episodes` each, on fresh seeds; each build gets its own sim
 * target and caches. A build is a source tree with node_modules (e.g. a
 * `git archive <commit>` unpacked beside this one).
 *
 *   npx tsx bench/arena-ab.ts --a ../seige-before [--b .] [--reps 16] [--episodes 3]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { benchHeader, median } from "./env-info.js";

const { values } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string", default: "." },
    reps: { type: "string", default: "16" },
    episodes: { type: "string", default: "3" },
  },
});
if (!values.a) throw new Error("--a <source tree of the build to compare against> is required");
const reps = Number(values.reps);
const episodes = Number(values.episodes);

type Play = (firstSeed: number) => Promise<number>;

/** A build's episode loop, returning steps per CPU-second. */
async function load(root: string): Promise<Play> {
  const at = (path: string) => pathToFileURL(resolve(root, path)).href;
  const { resolvePolicy } = await import(at("src/agents/index.ts"));
  const { playEpisode, SeigeEnv } = await import(at("src/env/index.ts"));
  const { SimTarget } = await import(at("src/target/sim/sim-target.ts"));
  const env = new SeigeEnv(new SimTarget());
  return async (firstSeed) => {
    let steps = 0;
    const c0 = process.cpuUsage();
    for (const stage of [1, 2, 3] as const)
      for (const blue of ["probe-threshold", "allow-all"])
        for (let i = 0; i < episodes; i++) {
          const o = await playEpisode(
            env,
            resolvePolicy("red", "steer"),
            resolvePolicy("blue", blue),
            { seed: firstSeed + i, stage },
          );
          steps += o.steps;
        }
    const used = process.cpuUsage(c0);
    return steps / ((used.user + used.system) / 1e6);
  };
}

console.log(
  benchHeader(
    `npx tsx bench/arena-ab.ts --a ${values.a} --b ${values.b} --reps ${reps} --episodes ${episodes}`,
    { backend: "sim", reps, episodes },
  ),
);
const a = await load(values.a);
const b = await load(values.b);
for (let i = 0; i < 2; i++) {
  await a(0); // warm-up (JIT), on seeds the repetitions do not use
  await b(0);
}
const ra: number[] = [];
const rb: number[] = [];
for (let r = 1; r <= reps; r++) {
  // Alternate which build goes first, so that neither always pays for the other's garbage.
  if (r % 2) {
    ra.push(await a(r * 100));
    rb.push(await b(r * 100));
  } else {
    rb.push(await b(r * 100));
    ra.push(await a(r * 100));
  }
}
const ratios = ra.map((x, i) => rb[i] / x).sort((x, y) => x - y);
console.log(
  `steps per CPU-s, median of ${reps}: A ${median(ra).toFixed(0)}, B ${median(rb).toFixed(0)}`,
);
console.log(
  `B/A: ratio of medians ${(median(rb) / median(ra)).toFixed(2)}; median of per-repetition ratios ` +
    `${median(ratios).toFixed(2)} (${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)})`,
);
