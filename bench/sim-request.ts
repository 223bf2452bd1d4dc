/**
 * What one sim request costs, by part (issue 16's floor for an in-process step):
 * `generateOne` on requests with a fresh benign text each (as traffic is), the
 * lexical read of a fresh text alone, and the noise of the decision layers alone
 * (n_l for each, drawn from its own stream: docs/sim.md). With recordings
 * byte-identical these two parts must stay: every request of a new text is read,
 * and its noise comes from the same Marsaglia draws. Microseconds per request,
 * median over repetitions of fresh texts.
 *
 *   npx tsx bench/sim-request.ts [--requests 20000] [--reps 5]
 */
import { parseArgs } from "node:util";
import { coverText } from "../src/arena/index.js";
import type { ChatMessage, TargetRequest } from "../src/target/index.js";
import { readRequest } from "../src/target/sim/lexical.js";
import { noiseAt } from "../src/target/sim/residual.js";
import { SimTarget } from "../src/target/sim/sim-target.js";
import { Rng } from "../src/util/rng.js";
import { benchHeader, median } from "./env-info.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "20000" },
    reps: { type: "string", default: "5" },
  },
});
const n = Number(values.requests);
const reps = Number(values.reps);

const target = new SimTarget();
const geo = target.geometry;
const system: ChatMessage = {
  role: "system",
  content: "You are the support assistant of an online shop. Be brief and helpful.",
};
const rng = new Rng("bench/sim-request");
const freshRequests = (rep: number): TargetRequest[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `r${rep}/${i}`,
    seed: rep * n + i,
    messages: [system, { role: "user", content: coverText(rng) }],
    interventions: [],
  }));

/** Microseconds per item of `work` over `items`. */
function timed<T>(items: T[], work: (item: T) => unknown): number {
  const t0 = performance.now();
  for (const item of items) work(item);
  return ((performance.now() - t0) * 1000) / items.length;
}

for (const r of freshRequests(-1)) target.generateOne(r); // warm-up (JIT)
const generate: number[] = [];
const lexical: number[] = [];
const noise: number[] = [];
const layers = geo.config.decisionLayers;
for (let rep = 0; rep < reps; rep++) {
  generate.push(timed(freshRequests(rep), (r) => target.generateOne(r)));
  lexical.push(timed(freshRequests(rep + reps), (r) => readRequest(r.messages, geo.vocab)));
  const keys = Array.from({ length: n }, (_, i) => `bench/${rep}/${i}`);
  noise.push(timed(keys, (k) => layers.map((l) => noiseAt(geo, k, l))));
}

console.log(
  benchHeader(`npx tsx bench/sim-request.ts --requests ${n} --reps ${reps}`, {
    backend: "sim",
    "decision layers": layers.length,
    d_model: geo.config.dModel,
  }),
);
const row = (name: string, xs: number[]) =>
  console.log(
    `${name.padEnd(44)}${median(xs).toFixed(1).padStart(7)} µs  (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`,
  );
row("generateOne, fresh benign text", generate);
row("  of which must stay: lexical read of the text", lexical);
row(`  of which must stay: noise of ${layers.length} decision layers`, noise);
console.log(
  "goal (issue 16): >= 20,000 env steps/s in process, i.e. 50 µs for a whole step (bench/arena.ts counts requests per step)",
);
