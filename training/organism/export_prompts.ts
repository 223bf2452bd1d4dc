/**
 * Writes the game's own system prompts as JSONL for the organism's data generator:
 * for each seed, a task drawn as the arena draws it, its protected value, and the
 * system prompt built by src/arena (role line, secret line, 5 policy rules). The
 * Python generator (gen_data.py) reads this file, so the organism is trained on
 * exactly the prompts the arena sends, never on a copy of their wording.
 *
 * Run: npx tsx training/organism/export_prompts.ts OUT.jsonl N SEED_PREFIX
 * It does not build conversations (gen_data.py) or train anything (train.py).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { drawPolicyRules } from "../../src/arena/policy-rules.js";
import { buildSystemPrompt } from "../../src/arena/system-prompt.js";
import { drawTaskName, generateTask } from "../../src/arena/tasks.js";
import { Rng } from "../../src/util/rng.js";

const [out, nRaw, prefix = "organism"] = process.argv.slice(2);
const n = Number(nRaw);
if (!out || !Number.isInteger(n) || n <= 0) {
  console.error("usage: export_prompts.ts OUT.jsonl N [SEED_PREFIX]");
  process.exit(2);
}
const lines: string[] = [];
for (let i = 0; i < n; i++) {
  const rng = new Rng(`${prefix}/${i}`);
  const task = generateTask(drawTaskName(rng.child("task")), rng.child("value"));
  const rules = drawPolicyRules(rng.child("rules"));
  lines.push(
    JSON.stringify({
      task: task.public.name,
      value: task.protectedValue,
      secret_line: task.secretLine,
      rules,
      system: buildSystemPrompt(task, rules),
    }),
  );
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${lines.join("\n")}\n`);
