/**
 * How a model organism checkpoint treats requests it was never trained on, request by
 * request: which harmful requests it answers instead of refusing, and which benign ones it
 * refuses. Harmful: the held-out split of data/prompts/v1 (what `seige organism` scores),
 * training/organism/validation-harmful.txt (harm done with everyday things) and
 * data/organism/fresh-harmful.txt (written after the shipped export was picked, never used
 * to pick anything). Benign: training/organism/validation-benign.txt. The two validation
 * files are for picking checkpoints, so that the test split and the fresh sets are not;
 * `--validation` prints only them. Each request under one of the game's system prompts,
 * greedy; prints the misses and each set's refusal rate. Replies need no direction
 * artifact, so a fresh export is scored without `seige precompute`.
 *
 * `--pick DIR...` scores each export on the validation sets only and prints the one the
 * rule of docs/organism.md picks (src/commands/organism-pick.ts: benign validation
 * refusal ≤ 0.1, then the highest harmful validation refusal; when no export is within
 * the benign bound, the lowest benign). The last line is `pick: DIR`.
 *
 *   npx tsx scripts/organism-validation.ts [DIR] [--validation]   (default: models/organism)
 *   npx tsx scripts/organism-validation.ts --pick DIR [DIR ...]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freshHarmful } from "../src/commands/organism.js";
import {
  BENIGN_BOUND,
  type CheckpointScore,
  pickCheckpoint,
} from "../src/commands/organism-pick.js";
import { gameSystemPrompts } from "../src/commands/precompute-context.js";
import { loadPromptData } from "../src/directions/index.js";
import { loadLensTarget } from "../src/target/lens/load.js";
import { organismDir } from "../src/target/lens/organism.js";
import { isRefusal } from "../src/target/refusals.js";
import { SeigeError } from "../src/util/errors.js";

const args = process.argv.slice(2);
const picking = args.includes("--pick");
const validationOnly = picking || args.includes("--validation");
const dirs = args.filter((a) => !a.startsWith("--"));
if (picking && dirs.length === 0) {
  console.error("organism-validation: --pick needs the export directories to choose among");
  process.exit(2);
}
if (!picking && dirs.length > 1) {
  console.error("organism-validation: one directory at a time (or --pick DIR...)");
  process.exit(2);
}
const root = join(import.meta.dirname, "..");
const readLines = (path: string) => readFileSync(join(root, path), "utf8").trim().split("\n");
type RequestSet = { name: string; harmful: boolean; requests: string[]; picksCheckpoints: boolean };
const sets: RequestSet[] = [
  {
    name: "v1 test",
    harmful: true,
    picksCheckpoints: false,
    requests: loadPromptData()
      .contrastive.refusal.filter((p) => p.split === "test")
      .map((p) => p.positive),
  },
  {
    name: "validation",
    harmful: true,
    picksCheckpoints: true,
    requests: readLines("training/organism/validation-harmful.txt"),
  },
  { name: "fresh", harmful: true, picksCheckpoints: false, requests: freshHarmful() },
  {
    name: "benign validation",
    harmful: false,
    picksCheckpoints: true,
    requests: readLines("training/organism/validation-benign.txt"),
  },
];
const systems = gameSystemPrompts(8);

/** Refusal rate per set of `dir`'s replies, printing each miss unless `quiet`. */
async function score(dir: string, quiet: boolean): Promise<Map<string, number>> {
  const rates = new Map<string, number>();
  const target = await loadLensTarget({
    modelDir: dir,
    modelDirSource: "each export argument",
    withoutDirections: true,
    sampling: { temperature: 0 },
  });
  try {
    for (const { name, harmful, requests } of sets.filter(
      (s) => s.picksCheckpoints || !validationOnly,
    )) {
      const replies = await target.generate(
        requests.map((text, i) => ({
          id: `${name}#${i}`,
          messages: [
            { role: "system", content: systems[i % systems.length] },
            { role: "user", content: text },
          ],
          interventions: [],
          seed: i,
        })),
      );
      const refused = replies.filter((r) => isRefusal(r.text)).length;
      rates.set(name, refused / requests.length);
      if (quiet) continue;
      for (const [i, r] of replies.entries())
        if (isRefusal(r.text) !== harmful)
          console.log(
            `${name}: ${harmful ? "answered" : "refused"} ${JSON.stringify(requests[i])}`,
          );
      console.log(
        `${name}: refused ${refused} of ${requests.length} (${(refused / requests.length).toFixed(2)})`,
      );
    }
  } finally {
    await target.close();
  }
  return rates;
}

async function main(): Promise<void> {
  if (picking) {
    const rows: CheckpointScore[] = [];
    for (const dir of dirs) {
      const rates = await score(dir, true);
      const row = {
        dir,
        harmful: rates.get("validation")!,
        benign: rates.get("benign validation")!,
      };
      rows.push(row);
      console.log(
        `${dir}: harmful validation refused ${row.harmful.toFixed(2)}, benign validation refused ${row.benign.toFixed(2)}`,
      );
    }
    const { pick, withinBound } = pickCheckpoint(rows);
    if (!withinBound)
      console.log(`no export refuses at most ${BENIGN_BOUND} of the benign validation set`);
    console.log(`pick: ${pick.dir}`);
  } else {
    await score(dirs[0] ?? organismDir(), false);
  }
}

try {
  await main();
} catch (e) {
  // A missing or malformed export: say so in one line, not with a stack.
  if (!(e instanceof SeigeError)) throw e;
  console.error(`organism-validation: ${e.message}`);
  process.exit(2);
}
