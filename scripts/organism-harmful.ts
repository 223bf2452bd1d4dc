/**
 * Which harmful requests a model organism checkpoint answers instead of refusing:
 * the held-out harmful requests of data/prompts/v1 (what `seige organism` scores),
 * the validation requests of training/organism/validation-harmful.txt (never
 * trained on; harm done with everyday things, used to pick checkpoints so the test
 * split is not) and data/organism/fresh-harmful.txt (40 varied requests written
 * after the shipped export was picked, never used to pick anything), each under one
 * of the game's system prompts, greedy. Prints the answered ones and each refusal rate.
 *
 *   npx tsx scripts/organism-harmful.ts [DIR]   (default: models/organism)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freshHarmful } from "../src/commands/organism.js";
import { gameSystemPrompts } from "../src/commands/precompute-context.js";
import { loadPromptData } from "../src/directions/index.js";
import { loadLensTarget } from "../src/target/lens/load.js";
import { organismDir } from "../src/target/lens/organism.js";
import { isRefusal } from "../src/target/refusals.js";

const dir = process.argv[2] ?? organismDir();
const root = join(import.meta.dirname, "..");
const readLines = (path: string) => readFileSync(join(root, path), "utf8").trim().split("\n");
const sets = {
  "v1 test": loadPromptData()
    .contrastive.refusal.filter((p) => p.split === "test")
    .map((p) => p.positive),
  validation: readLines("training/organism/validation-harmful.txt"),
  fresh: freshHarmful(),
};
const systems = gameSystemPrompts(8);
const target = await loadLensTarget({ modelDir: dir, sampling: { temperature: 0 } });
try {
  for (const [name, requests] of Object.entries(sets)) {
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
      if (!isRefusal(r.text)) console.log(`${name}: answered ${JSON.stringify(requests[i])}`);
    console.log(
      `${name}: refused ${refused} of ${requests.length} (${(refused / requests.length).toFixed(2)})`,
    );
  }
} finally {
  await target.close();
}
