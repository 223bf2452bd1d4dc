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
 *   npx tsx scripts/organism-validation.ts [DIR] [--validation]   (default: models/organism)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freshHarmful } from "../src/commands/organism.js";
import { gameSystemPrompts } from "../src/commands/precompute-context.js";
import { loadPromptData } from "../src/directions/index.js";
import { loadLensTarget } from "../src/target/lens/load.js";
import { organismDir } from "../src/target/lens/organism.js";
import { isRefusal } from "../src/target/refusals.js";

const args = process.argv.slice(2);
const validationOnly = args.includes("--validation");
const dir = args.find((a) => !a.startsWith("--")) ?? organismDir();
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
const target = await loadLensTarget({
  modelDir: dir,
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
    for (const [i, r] of replies.entries())
      if (isRefusal(r.text) !== harmful)
        console.log(`${name}: ${harmful ? "answered" : "refused"} ${JSON.stringify(requests[i])}`);
    console.log(
      `${name}: refused ${refused} of ${requests.length} (${(refused / requests.length).toFixed(2)})`,
    );
  }
} finally {
  await target.close();
}
