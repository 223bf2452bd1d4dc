/**
 * Start-up of the built `seige serve` (bin/seige.js over dist/, as installed):
 * spawn to the first `/health` 200, median of N starts, beside a bare
 * `node:http` child spawned to listening in the same run (Node's own start-up
 * floor on this machine), with the issue 16 goal (≤ 0.3 s) printed beside it.
 * Wall time on a shared machine swings with its load, so it also prints the
 * CPU time (user + system, from /proc) each child had used by then: that
 * figure barely moves with load. Needs `npm run build` first. It measures only.
 *
 *   npx tsx bench/startup.ts [--starts 9]
 */
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startBareHttp } from "./baselines.js";
import { benchHeader, median } from "./env-info.js";
import { cpuSeconds, timeToHealth } from "./server-process.js";

const { values } = parseArgs({ options: { starts: { type: "string", default: "9" } } });
const starts = Number(values.starts);
if (!existsSync(new URL("../dist/cli.js", import.meta.url))) {
  console.error("bench/startup.ts measures the built CLI: run `npm run build` first");
  process.exit(2);
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ");
console.log(benchHeader(`npx tsx bench/startup.ts --starts ${starts}`, { starts }));
console.log(`# load average at start: ${load()}`);
const ours = { wall: [] as number[], cpu: [] as number[] };
const bare = { wall: [] as number[], cpu: [] as number[] };
for (let i = 0; i < starts; i++) {
  // Interleaved, so a burst of load on the shared machine hits both alike.
  const o = await timeToHealth(true);
  ours.wall.push(o.seconds);
  ours.cpu.push(o.cpu);
  const b = await startBareHttp();
  bare.wall.push(b.startS);
  bare.cpu.push(cpuSeconds(b.pid));
  b.stop();
}
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(3)} s [${xs.map((x) => x.toFixed(2)).join(", ")}]`;
console.log(`seige serve (built), spawn to first /health 200: ${fmt(ours.wall)}; goal <= 0.3 s`);
console.log(`  CPU used by then:                              ${fmt(ours.cpu)}`);
console.log(`bare node:http child, spawn to listening:        ${fmt(bare.wall)}`);
console.log(`  CPU used by then:                              ${fmt(bare.cpu)}`);
console.log(
  `seige's own share (ours - bare): wall ${(median(ours.wall) - median(bare.wall)).toFixed(3)} s, ` +
    `CPU ${(median(ours.cpu) - median(bare.cpu)).toFixed(3)} s`,
);
console.log(`# load average at end: ${load()}`);
