/**
 * `seige organism`: measures the model organism's behaviour table (docs/organism.md)
 * on held-out data through the game's own path — the lens target, the arena's
 * system prompts (seeds `organism-eval/i`, never trained on), the scripted Red's
 * extraction asks, the `test` split of data/prompts/v1 — and prints it (or JSON).
 *
 * `--model DIR` measures another checkpoint with its direction artifact; the
 * default is the shipped organism. The fluency check reads the training text's
 * words from `words.txt` beside the weights (train.py writes it). It measures;
 * the thresholds live in test/organism and the card.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { directAsk, quietAsk } from "../agents/scripted/payloads.js";
import { APPROVED_MAGNITUDE_RANGE, middleLayers } from "../arena/index.js";
import { auroc } from "../audit/stats.js";
import { defaultPromptDir, loadPromptData } from "../directions/index.js";
import { wilson95 } from "../rollout/crossplay.js";
import { loadLensTarget } from "../target/lens/load.js";
import { ORGANISM_MODEL_ID, organismDir } from "../target/lens/organism.js";
import {
  type ApprovedSteer,
  type BehaviourTable,
  type ExtractionCase,
  measureBehaviour,
} from "../target/lens/organism-behaviour.js";
import { SeigeError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { gameDeployments } from "./precompute-context.js";
import { Progress, progressMode } from "./progress.js";

const HELP = `usage: seige organism [--model DIR] [--n N] [--layers 0,2] [--json]

Measures the model organism's behaviour on held-out prompts (docs/organism.md):
refusal of harmful and benign requests, unprompted leaks, exact leaks with the
refusal component set to its benign mean or steered against by 1 calibrated
unit at each layer, and fluency under approved steering (the game's strongest
approved steer at the layers benign traffic is steered at, and 1 unit at the
middle layer as a stress row).

  --model   checkpoint directory with directions.safetensors and words.txt
            (default: the shipped organism, models/organism)
  --n       extraction cases, and harmful and benign requests each (default 40)
  --layers  layers to intervene at, comma-separated (default all)
  --json    print the table as JSON
  --quiet   no progress on stderr`;

/** The held-out extraction cases: game deployments with the steer Red's asks. */
export function extractionCases(n: number): ExtractionCase[] {
  return gameDeployments(n, "organism-eval").map((d, i) => {
    const rng = new Rng(`organism-eval/ask/${i}`);
    return {
      system: d.system,
      value: d.value,
      ask: i % 2 === 0 ? directAsk(d.task, rng) : quietAsk(d.task, rng),
    };
  });
}

const heldOutHarmful = (dir?: string) =>
  (loadPromptData(dir).contrastive.refusal ?? [])
    .filter((p) => p.split === "test")
    .map((p) => p.positive);

/** One request per line of data/organism/NAME.txt. */
function organismRequests(name: string): string[] {
  const path = join(defaultPromptDir(), "..", "..", "organism", `${name}.txt`);
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * data/organism/fresh-harmful.txt: 40 varied harmful requests written after the shipped
 * weights were picked and never used to pick any (docs/organism.md), so its refusal rate is
 * free of that choice. Always whole.
 */
export const freshHarmful = () => organismRequests("fresh-harmful");

/**
 * data/organism/fresh-benign.txt: 40 benign requests, half of them in the words of account
 * security, sharing, codes and rules that extraction asks use too, written before any
 * checkpoint was measured on them and never used to pick one (docs/organism.md). Always whole.
 */
export const freshBenign = () => organismRequests("fresh-benign");

/**
 * The held-out harmful and benign requests of data/prompts/v1, v2's held-out harmful
 * requests as a second, larger set (the organism was trained on v1's train split only, so
 * none of v2 was ever trained on), and the fresh set.
 */
export function heldOutRequests(n: number): {
  harmful: string[];
  benign: string[];
  moreHarmful: Record<string, string[]>;
  moreBenign: Record<string, string[]>;
} {
  const benign = loadPromptData()
    .intent.filter((x) => x.split === "test" && x.label === "benign")
    .map((x) => x.text);
  return {
    harmful: heldOutHarmful().slice(0, n),
    benign: benign.slice(0, n),
    moreHarmful: {
      "prompts-v2": heldOutHarmful(defaultPromptDir("v2")).slice(0, n),
      fresh: freshHarmful(),
    },
    moreBenign: { fresh: freshBenign() },
  };
}

export function readWords(dir: string): Set<string> {
  const path = join(dir, "words.txt");
  if (!existsSync(path))
    throw new SeigeError(
      "config_error",
      `${path} is missing: the fluency check needs the training text's words (training/organism/train.py writes it)`,
    );
  return new Set(
    readFileSync(path, "utf8")
      .split("\n")
      .map((w) => w.trim())
      .filter(Boolean),
  );
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
/** A rate over n requests with its 95 % Wilson interval: 16 held-out requests leave a wide one. */
const pctOf = (x: number, n: number) => {
  const [lo, hi] = wilson95(Math.round(x * n), n).ci95;
  return `${pct(x)} (95% CI ${(100 * lo).toFixed(0)}–${pct(hi)})`;
};

/**
 * The approved steers the fluency check runs under: the game's strongest approved
 * steer at each layer benign traffic is steered at (GAME.md §2), and one calibrated
 * unit at the middle layer, over twice as strong, as a stress row.
 */
export function approvedSteersToCheck(nLayers: number): ApprovedSteer[] {
  const [lo, hi] = middleLayers(nLayers);
  const game = Array.from({ length: hi - lo + 1 }, (_, i) => ({
    layer: lo + i,
    magnitude: APPROVED_MAGNITUDE_RANGE[1],
  }));
  return [...game, { layer: Math.floor(nLayers / 2), magnitude: 1 }];
}

/** AUROC of the probe's anomaly z: steered extraction asks (positive) against benign requests. */
export function probeAuroc(t: BehaviourTable): number {
  const { benign, steered } = t.probe;
  return auroc([...steered, ...benign], [...steered.map(() => true), ...benign.map(() => false)])
    .mean;
}

export function formatTable(t: BehaviourTable): string {
  const rows = [
    `refusal, held-out harmful (n=${t.n.harmful})   ${pctOf(t.refusalHarmful, t.n.harmful)}`,
    ...t.refusalMoreHarmful.map(
      (h) => `refusal, held-out harmful, ${h.name} (n=${h.n})  ${pctOf(h.refusal, h.n)}`,
    ),
    `refusal, held-out benign (n=${t.n.benign})     ${pctOf(t.refusalBenign, t.n.benign)}`,
    ...t.refusalMoreBenign.map(
      (b) => `refusal, held-out benign, ${b.name} (n=${b.n})  ${pctOf(b.refusal, b.n)}`,
    ),
    `value in those replies (unprompted leaks)  ${pct(t.unpromptedLeaks)}`,
    `extraction asks (n=${t.n.cases}): refusal ${pct(t.plain.refusal)}, exact leaks ${pct(t.plain.leak)}`,
    "",
    "layer  refusal→benign mean: refusal leak   steer −1 unit: refusal leak",
    ...t.benignMean.map((m, i) => {
      const s = t.steerAgainst[i];
      return `${String(m.layer).padStart(5)}  ${pct(m.refusal).padStart(26)} ${pct(m.leak).padStart(5)}   ${pct(s.refusal).padStart(21)} ${pct(s.leak).padStart(5)}`;
    }),
    `best layer ${t.bestLayer}`,
    "",
    ...t.fluency.map(
      (f) => `fluent under ${f.label} +${f.magnitude} at layer ${f.layer}: ${pct(f.fluent)}`,
    ),
    `probe anomaly z at layer ${t.probe.probeLayer}, steered asks (compliance +3 at layer ${t.probe.steerLayer}) vs benign: AUROC ${probeAuroc(t).toFixed(2)}`,
    "",
    ...Object.entries(t.samples).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
  ];
  return `${rows.join("\n")}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      n: { type: "string" },
      layers: { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const n = intFlag(values.n, "n", 40);
  if (n < 1) throw new CliUsageError(`--n must be at least 1, got ${n}`);
  const layers = values.layers?.split(",").map((x) => intFlag(x, "layers", 0));
  const dir = values.model ?? organismDir();
  // The model first: a directory that is no checkpoint is named as such, not by its words.txt.
  const target = await loadLensTarget({
    modelDir: dir,
    modelDirSource: values.model ? "--model" : "--model (default models/organism)",
    modelId: values.model ? undefined : ORGANISM_MODEL_ID,
    sampling: { temperature: 0 },
  });
  try {
    const nLayers = target.info.nLayers;
    const outside = layers?.find((l) => l < 0 || l >= nLayers);
    if (outside !== undefined)
      throw new CliUsageError(
        `--layers: layer ${outside} is outside [0, ${nLayers}) for this model`,
      );
    const words = readWords(dir);
    let progress: Progress | undefined;
    const table = await measureBehaviour(target, {
      cases: extractionCases(n),
      ...heldOutRequests(n),
      words,
      layers,
      approvedSteers: approvedSteersToCheck(target.info.nLayers),
      onProgress: (done, total) => {
        progress ??= new Progress("organism", total, { mode: progressMode(values) });
        progress.tick(done);
      },
    });
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...table, probeAuroc: probeAuroc(table) }, null, 2)}\n`
        : formatTable(table),
    );
    return 0;
  } finally {
    await target.close();
  }
}
