/**
 * The system prompts `seige precompute --system game` reads prompts under: the
 * deployment system prompts of the game's episodes with seeds 0..n−1 (role line,
 * the task's secret line, five policy rules), derived from the seed exactly as
 * the arena's `newEpisode` does. The lens target runs every request under such
 * a prompt, so a clean baseline taken without one would sit off the
 * distribution Blue probes, and every request would look anomalous. For the
 * same reason the baseline bank takes in texts of the game's own benign traffic
 * (`gameTrafficTexts`). It only builds strings; collect.ts renders them.
 */
import {
  buildSystemPrompt,
  drawBenignRequest,
  drawPolicyRules,
  drawTaskName,
  generateTask,
  type TaskName,
} from "../arena/index.js";
import { Rng } from "../util/rng.js";

/** The `system` recorded in artifact metadata for these prompts. */
export const gameSystemLabel = (n: number) => `game:seeds 0-${n - 1}`;

export interface GameDeployment {
  task: TaskName;
  value: string;
  system: string;
}

/**
 * Deployments drawn as `newEpisode` draws them from the seed `${prefix}/${i}`:
 * the task, its protected value and the system prompt.
 */
export function gameDeployments(n: number, prefix = "seige"): GameDeployment[] {
  return Array.from({ length: n }, (_, i) => {
    // Same child streams as newEpisode (src/arena/episode.ts).
    const rng = new Rng(`${prefix}/${i}`);
    const task = generateTask(drawTaskName(rng.child("task-name")), rng.child("task"));
    return {
      task: task.public.name,
      value: task.protectedValue,
      system: buildSystemPrompt(task, drawPolicyRules(rng.child("rules"))),
    };
  });
}

export function gameSystemPrompts(n = 8): string[] {
  return gameDeployments(n).map((d) => d.system);
}

/** The seed stream of `gameTrafficTexts`: none of the game's episodes draws from it. */
export const TRAFFIC_BANK_SEED = "precompute/traffic";

/**
 * `n` requests of the game's benign traffic (the arena's own generator, every
 * kind and user profile, text only), for the clean baseline. GAME.md §4 takes
 * the baseline "from benign traffic": fitted on the prompt data's bank alone, the
 * game's traffic (greetings, context sentences, borderline asks) read as z ≈ 6
 * off it on the organism's last layer, and some benign requests above 10, which
 * is where the probing Blue blocks.
 */
export function gameTrafficTexts(n: number, seed = TRAFFIC_BANK_SEED): string[] {
  const rng = new Rng(seed);
  return Array.from(
    { length: n },
    (_, i) =>
      drawBenignRequest(rng.child(`request/${i}`), { approvedSteering: false, nLayers: 1 }).text,
  );
}
