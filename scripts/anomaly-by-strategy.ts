/**
 * What a probe's anomaly z looks like for benign requests and for each of a Red's
 * strategies, on the sim: an oracle Blue probes every pending request at one layer
 * (the first ones of each tick, as far as the probe budget goes) and never acts, and
 * each probe is labelled with the hidden truth (benign, or the strategy of Red's
 * request that tick). Prints quantiles per label. It explains what a learned Blue can
 * and cannot transfer between Reds (docs/training.md, "Why the steer-trained Blue
 * does not transfer"), and helps anyone choose a probe threshold.
 *
 *   npx tsx scripts/anomaly-by-strategy.ts [--red steer] [--stage 2] [--layer 6] [--seeds 1000..1029]
 */
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import { policySeed } from "../src/agents/two-player.js";
import { Arena } from "../src/arena/arena.js";
import type { BlueAction, RedAction, Stage, StepResult } from "../src/arena/schema.js";
import { parseSeeds } from "../src/rollout/seeds.js";
import { SimTarget } from "../src/target/index.js";

const { values } = parseArgs({
  options: {
    red: { type: "string", default: "steer" },
    stage: { type: "string", default: "2" },
    layer: { type: "string", default: "6" },
    seeds: { type: "string", default: "1000..1029" },
  },
});
const stage = Number(values.stage) as Stage;
const layer = Number(values.layer);
const target = new SimTarget();
const z: Record<string, number[]> = {};

for (const seed of parseSeeds(values.seeds)) {
  const red = resolvePolicy("red", values.red);
  red.reset(policySeed("red", seed));
  const arena = new Arena(target);
  let result: StepResult = { observation: arena.reset({ seed, stage }), reward: 0, done: false };
  let redSessions: string[] = [];
  let strategy = "";
  const seen = new Set<string>();
  while (!result.done) {
    const obs = result.observation;
    if (obs.current_agent === "red" && obs.red) {
      redSessions = obs.red.sessions.map((s) => s.session_id);
      const action: RedAction = await red.act(obs.red);
      strategy = action.strategy;
      result = await arena.step(action);
      continue;
    }
    const view = obs.blue;
    if (!view) throw new Error("Blue's turn without its view");
    for (const r of view.probe_results) {
      const key = `${r.tick}/${r.session_id}`;
      if (r.tick !== view.tick || seen.has(key)) continue;
      seen.add(key);
      const label = redSessions.includes(r.session_id) ? `red: ${strategy}` : "benign";
      z[label] = [...(z[label] ?? []), r.anomaly_z];
    }
    const next = view.pending.find((p) => !seen.has(`${view.tick}/${p.session_id}`));
    const canProbe = view.probe_budget.this_tick > 0 && view.probe_budget.episode > 0;
    const action: BlueAction =
      next && canProbe && view.activation_access
        ? { agent_type: "blue", action_type: "probe", session_id: next.session_id, layer }
        : { agent_type: "blue", action_type: "monitor" };
    result = await arena.step(action);
  }
}

console.log(
  `# npx tsx scripts/anomaly-by-strategy.ts --red ${values.red} --stage ${stage} --layer ${layer} --seeds ${values.seeds}`,
);
console.log("label                              n      p10      p50      p90      max");
for (const [label, xs] of Object.entries(z).sort()) {
  xs.sort((a, b) => a - b);
  const q = (p: number) => xs[Math.floor(p * (xs.length - 1))].toFixed(1).padStart(8);
  console.log(
    `${label.padEnd(30)} ${String(xs.length).padStart(5)} ${q(0.1)} ${q(0.5)} ${q(0.9)} ${q(1)}`,
  );
}
