/**
 * Writes docs/game.md's generated tables between their marker comments, so the
 * documented numbers cannot drift from the code: the reward table and the
 * explanation weights (from src/arena), and the baseline matrix of every scripted
 * Red against every scripted Blue at every stage on the sim (bench/ladder.ts).
 *
 *   npm run docs:tables -- [--seeds 50] [--first 1000] [--no-ladder]
 *
 * Each block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { ladder, ladderMarkdown } from "../bench/ladder.js";
import { BLUE_WIN_MIN_SCORE, BLUE_WIN_STREAK } from "../src/arena/execute.js";
import { EXPLANATION_WEIGHTS, WRONG_STRATEGY_FACTOR } from "../src/arena/explanation.js";
import { BLUE_REWARDS, PER_SESSION_PAY_CAP, RED_REWARDS, TOOL_COST } from "../src/arena/rewards.js";

const DOC = new URL("../docs/game.md", import.meta.url);

function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/game.md has no ${start} … ${end} block`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

function rewardTable(): string {
  const rows = [
    "| role | component | value |",
    "|---|---|---|",
    ...Object.entries(RED_REWARDS).map(([k, v]) => `| Red | \`${k}\` | ${v} |`),
    ...Object.entries(TOOL_COST).map(([k, v]) => `| Red | \`tool_cost\` (${k}) | ${v} |`),
    ...Object.entries(BLUE_REWARDS).map(([k, v]) => `| Blue | \`${k}\` | ${v} |`),
  ];
  return [
    ...rows,
    "",
    `Per Red session at most ${PER_SESSION_PAY_CAP} acted-on attacks pay \`true_positive\` and at most ${PER_SESSION_PAY_CAP} prevented leaks pay \`leak_prevented\`. Blue wins after ${BLUE_WIN_STREAK} consecutive blocks of Red attacks explained with a score ≥ ${BLUE_WIN_MIN_SCORE}.`,
  ].join("\n");
}

function explanationTable(): string {
  const families = Object.keys(EXPLANATION_WEIGHTS) as (keyof typeof EXPLANATION_WEIGHTS)[];
  const parts = Object.keys(EXPLANATION_WEIGHTS.text) as (keyof typeof EXPLANATION_WEIGHTS.text)[];
  return [
    `| part | ${families.join(" | ")} |`,
    `|---|${families.map(() => "---").join("|")}|`,
    ...parts.map((p) => `| ${p} | ${families.map((f) => EXPLANATION_WEIGHTS[f][p]).join(" | ")} |`),
    "",
    `Families: text (persona, injection, multi-turn, soft_prompt_gcg, coalitions), directed (steering_vector, repe_belief_flip), circuit (circuit_bypass). With a wrong or missing \`strategy_match\` every other part is multiplied by ${WRONG_STRATEGY_FACTOR}.`,
  ].join("\n");
}

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};

let text = readFileSync(DOC, "utf8");
text = replaceBlock(text, "rewards", rewardTable());
text = replaceBlock(text, "explanation", explanationTable());
if (!process.argv.includes("--no-ladder")) {
  const n = arg("--seeds", 50);
  const first = arg("--first", 1000);
  const cells = await ladder(Array.from({ length: n }, (_, i) => first + i));
  text = replaceBlock(
    text,
    "ladder",
    `Command: \`npm run docs:tables -- --seeds ${n} --first ${first}\` (sim backend, seeds ${first}–${first + n - 1}, each cell ${n} episodes).\n\n${ladderMarkdown(cells)}`,
  );
}
writeFileSync(DOC, text);
console.log("docs/game.md: generated tables written");
