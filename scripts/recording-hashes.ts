/**
 * The sha256 of in-process recordings of 81 seeded episodes, one line per
 * combination (Red random, text, steer × Blue allow-all, probe-threshold,
 * flag-all × stages 1–3, seeds 11–14 unless `--seeds` names another count), for
 * a source tree: run it on the trees before and after a change that must not
 * change behaviour and `diff` the two outputs (docs/speed.md). The same recorder
 * as test/env/recording-golden.test.ts, over more episodes.
 *
 *   npx tsx scripts/recording-hashes.ts [--root .] [--seeds 4] > after.txt
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { root: { type: "string", default: "." }, seeds: { type: "string", default: "4" } },
});
const seeds = Number(values.seeds);
if (!Number.isInteger(seeds) || seeds < 1) throw new Error("--seeds must be a positive integer");
const at = (path: string) => pathToFileURL(resolve(values.root, path)).href;
const { resolvePolicy } = await import(at("src/agents/index.ts"));
const { playEpisode, Recorder, SeigeEnv } = await import(at("src/env/index.ts"));
const { SimTarget } = await import(at("src/target/sim/sim-target.ts"));

for (const red of ["random", "text", "steer"])
  for (const blue of ["allow-all", "probe-threshold", "flag-all"])
    for (const stage of [1, 2, 3]) {
      const target = new SimTarget();
      const env = new SeigeEnv(target);
      const lines: string[] = [];
      new Recorder(target, (line: string) => lines.push(line)).attach(env);
      for (let seed = 11; seed < 11 + seeds; seed++)
        await playEpisode(env, resolvePolicy("red", red), resolvePolicy("blue", blue), {
          seed,
          stage,
        });
      const hash = createHash("sha256").update(lines.join("\n")).digest("hex");
      console.log(`${red} ${blue} ${stage} ${hash}`);
    }
