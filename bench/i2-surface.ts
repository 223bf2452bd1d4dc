/**
 * Diagnosis of GAME.md I2 (issue 12): which surface features of Blue's pending
 * queue separate Red's requests from benign ones, and by how much. For each
 * attacking scripted Red and stage it harvests Blue's view the way `seige audit`
 * does (allow-all Blue, labels from the summaries), on the audit's training
 * seeds and on held-out seeds, and prints:
 * - the audit's surface classifier (all I2 features and their squares), held out,
 *   and the same classifier on length and words, adding refusal-in-logs, and
 *   adding pending count and position instead;
 * - each feature alone: its raw AUROC (> 0.5: Red's values are higher) and the
 *   held-out AUROC of the classifier fitted on it alone (with its square);
 * - the share of Red's own requests the target refused; the share of Red's and
 *   of benign pending requests whose session's logs show a refusal; the mean
 *   length (characters) of each.
 *
 *   npx tsx bench/i2-surface.ts [--stages 1,2,3] [--reds random,text,steer] [--held N] [--train N]
 */
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import type { Stage } from "../src/arena/schema.js";
import { FEATURE_NAMES, type FeatureName, I2_FEATURES } from "../src/audit/features.js";
import { type Harvest, harvest } from "../src/audit/harvest.js";
import { Runner } from "../src/audit/runner.js";
import { HELD_OUT_FROM, TRAINING_FROM } from "../src/audit/settings.js";
import { auroc } from "../src/audit/stats.js";
import { fitSurfaceClassifier, heldOutAuroc } from "../src/audit/surface-classifier.js";
import { SeigeEnv } from "../src/env/index.js";
import { createTarget } from "../src/target/create.js";

const { values } = parseArgs({
  options: {
    stages: { type: "string", default: "1,2,3" },
    reds: { type: "string", default: "random,text,steer" },
    held: { type: "string", default: "60" },
    train: { type: "string", default: "12" },
  },
});
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const stages = values.stages.split(",").map(Number) as Stage[];
const reds = values.reds.split(",");
const training = range(TRAINING_FROM, Number(values.train));
const heldOut = range(HELD_OUT_FROM, Number(values.held));

/** Share of Red's own requests (decoys aside) the target refused, from the summaries. */
function redRefused(h: Harvest): string {
  const own = h.summaries.flatMap((s) => s.attacks.filter((a) => !a.decoy));
  return own.length ? (own.filter((a) => a.refused).length / own.length).toFixed(2) : "-";
}

/** Share of a side's pending requests whose session's logs already show a refusal. */
const refusalShown = (h: Harvest, red: boolean): string => {
  const xs = h.samples.filter((s) => s.red === red);
  return (xs.filter((s) => s.features.refusal_in_logs > 0).length / Math.max(1, xs.length)).toFixed(
    2,
  );
};

const fmt = (x: number) => x.toFixed(2);
const target = await createTarget();
const runner = new Runner(new SeigeEnv(target));
const t0 = performance.now();
console.log(
  `I2 diagnosis: training seeds ${training[0]}..${training.at(-1)}, held-out ${heldOut[0]}..${heldOut.at(-1)}`,
);
console.log(
  [
    "red",
    "stage",
    "n red/benign",
    "classifier",
    "len+words|+refusal|+pending+position",
    ...FEATURE_NAMES.filter((f) => f !== "keywords").map((f) => `${f} raw|fit`),
    "red refused",
    "refusal shown red/benign",
    "len red/benign",
  ].join("  "),
);
for (const red of reds)
  for (const stage of stages) {
    const policy = () => resolvePolicy("red", red);
    const train = await harvest(runner, policy(), stage, training);
    const held = await harvest(runner, policy(), stage, heldOut);
    const labels = held.samples.map((s) => s.red);
    const all = heldOutAuroc(fitSurfaceClassifier(train.samples, I2_FEATURES), held.samples);
    const per = FEATURE_NAMES.filter((f) => f !== "keywords").map((f) => {
      const raw = auroc(
        held.samples.map((s) => s.features[f]),
        labels,
      ).mean;
      const fit = heldOutAuroc(fitSurfaceClassifier(train.samples, [f]), held.samples).mean;
      return `${fmt(raw)}|${fmt(fit)}`;
    });
    const pair = (fs: FeatureName[]) =>
      fmt(heldOutAuroc(fitSurfaceClassifier(train.samples, fs), held.samples).mean);
    const pairs = [
      pair(["length", "words"]),
      pair(["length", "words", "refusal_in_logs"]),
      pair(["length", "words", "pending_in_session", "position"]),
    ].join("|");
    const nRed = labels.filter(Boolean).length;
    const len = (r: boolean) => {
      const xs = held.samples.filter((s) => s.red === r).map((s) => s.text.length);
      return (xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(0);
    };
    console.log(
      [
        red,
        stage,
        `${nRed}/${labels.length - nRed}`,
        `${fmt(all.mean)}±${fmt(all.ci)}`,
        pairs,
        ...per,
        redRefused(held),
        `${refusalShown(held, true)}/${refusalShown(held, false)}`,
        `${len(true)}/${len(false)}`,
      ].join("  "),
    );
  }
console.log(`${runner.episodes} episodes in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
await target.close?.();
