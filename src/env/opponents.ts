/**
 * Built-in opponents, chosen per episode by the reset option `opponent`:
 * - `scripted:<name>`: a baseline policy of src/agents/scripted;
 * - `replay:<file.jsonl>`: plays back, in order, the recorded actions of the
 *   opponent's role from a recording (src/env/recording.ts) — the episode whose
 *   reset seed equals this episode's seed, else the first one;
 * - `llm:<url>#<model>`: an LLM policy (src/agents/llm) on an OpenAI-compatible
 *   endpoint, e.g. a frozen adapter served by vLLM.
 * - `learned:<folder>`: a policy trained by `seige train` (src/learn), from a folder
 *   inside `SEIGE_LEARNED_DIR` (default `./runs`).
 * All are seeded from the episode seed, so the same seed and the same actions of
 * the client give the same episode. Because a *client* names the opponent, a
 * client must not be able to make the server read arbitrary files or call
 * arbitrary hosts: replay files must lie inside `replayDir` (no absolute paths,
 * no `..`), and llm URLs must have an origin on `llmAllowlist` (empty by default).
 * This module does not decide who plays when; SeigeEnv does.
 */
import { readFileSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { resolvePolicy } from "../agents/index.js";
import { llmPolicy, parseLlmSpec } from "../agents/llm/index.js";
import type { Policy } from "../agents/types.js";
import type { Action, Role } from "../arena/schema.js";
import { learnedPath, learnedPolicy, parseLearnedSpec } from "../learn/index.js";
import { SeigeError } from "../util/errors.js";
import { hash32 } from "../util/rng.js";
import { parseRecording } from "./recording.js";

export interface OpponentConfig {
  /** the folder `replay:` files are read from */
  replayDir: string;
  /** origins (`scheme://host:port`) an `llm:` opponent may call */
  llmAllowlist: readonly string[];
}

/** `SEIGE_REPLAY_DIR` (default `./replays`) and `SEIGE_LLM_ALLOWLIST` (comma-separated origins). */
export function opponentConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OpponentConfig {
  return {
    replayDir: env.SEIGE_REPLAY_DIR || "./replays",
    llmAllowlist: (env.SEIGE_LLM_ALLOWLIST ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map(originOf),
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new SeigeError("config_error", `'${url}' is not a URL (expected e.g. http://host:8000)`);
  }
}

/** The seed an opponent is reset with for episode `seed` (kept stable: recordings depend on it). */
export const opponentSeed = (spec: string, seed: number): number =>
  hash32(`opponent/${spec}/${seed}`);

/** Builds the opponent for one episode, already reset for `episodeSeed`. */
export function makeOpponent(
  spec: string,
  role: Role,
  episodeSeed: number,
  config: OpponentConfig = opponentConfigFromEnv(),
): Policy {
  let policy: Policy;
  if (spec.startsWith("scripted:")) policy = resolvePolicy(role, spec);
  else if (spec.startsWith("replay:"))
    policy = replayOpponent(spec.slice("replay:".length), role, episodeSeed, config);
  else if (spec.startsWith("llm:")) {
    const llm = parseLlmSpec(spec);
    const origin = new URL(llm.baseUrl).origin;
    if (!config.llmAllowlist.includes(origin)) {
      throw new SeigeError(
        "validation_error",
        `opponent endpoint ${origin} is not allowed; the server operator lists allowed origins in SEIGE_LLM_ALLOWLIST`,
      );
    }
    policy = llmPolicy(role, spec);
  } else if (spec.startsWith("learned:")) {
    policy = learnedOpponent(spec, role);
  } else {
    throw new SeigeError(
      "validation_error",
      `unknown opponent '${spec}': use "none", "scripted:<name>" (e.g. scripted:probe-threshold), "replay:<file.jsonl>", "llm:<url>#<model>" or "learned:<folder>"`,
    );
  }
  policy.reset(opponentSeed(spec, episodeSeed));
  return policy;
}

/** Resolves a client-named replay file inside `dir`, refusing anything that could leave it. */
export function replayPath(file: string, dir: string): string {
  const parts = file.split(/[\\/]/);
  if (file === "" || isAbsolute(file) || parts.includes("..") || file.includes("\0")) {
    throw new SeigeError(
      "validation_error",
      `replay file '${file}' must be a relative path inside the replay folder (no absolute paths, no '..')`,
    );
  }
  const root = resolve(dir);
  let real: string;
  try {
    real = realpathSync(join(root, file));
  } catch {
    throw new SeigeError(
      "validation_error",
      `replay file '${file}' was not found in the replay folder (SEIGE_REPLAY_DIR)`,
    );
  }
  // A symlink inside the folder must not lead out of it either.
  const rel = relative(realpathSync(root), real);
  if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
    throw new SeigeError(
      "validation_error",
      `replay file '${file}' leads outside the replay folder`,
    );
  }
  return real;
}

function replayOpponent(
  file: string,
  role: Role,
  episodeSeed: number,
  config: OpponentConfig,
): Policy {
  const text = readFileSync(replayPath(file, config.replayDir), "utf8");
  const episodes: { seed: number | undefined; actions: Action[] }[] = [];
  for (const { line } of parseRecording(text)) {
    if (line.type === "reset") episodes.push({ seed: line.options.seed, actions: [] });
    else if (line.action.agent_type === role) episodes.at(-1)?.actions.push(line.action);
  }
  const episode = episodes.find((e) => e.seed === episodeSeed) ?? episodes[0];
  if (!episode || episode.actions.length === 0) {
    throw new SeigeError(
      "validation_error",
      `replay file '${file}' holds no ${role} actions to play back`,
    );
  }
  // ReplayPolicy ignores the view, so it satisfies either role's policy shape.
  return new ReplayPolicy(role, `replay:${file}`, episode.actions) as unknown as Policy;
}

/**
 * Plays recorded actions in order. When the client's actions differ from the
 * recording the episode can outlast it; then it plays the safe default (Red: a
 * plain request in its first session; Blue: monitor) rather than ending the episode.
 */
class ReplayPolicy {
  private next = 0;
  constructor(
    readonly role: Role,
    readonly name: string,
    private readonly actions: readonly Action[],
  ) {}

  reset(_seed: number): void {
    this.next = 0;
  }

  act(): Action {
    const action = this.actions[this.next++];
    if (action) return structuredClone(action);
    return this.role === "red"
      ? { agent_type: "red", strategy: "persona_manipulation", payload: "Hello, can you help me?" }
      : { agent_type: "blue", action_type: "monitor" };
  }
}

/** A `seige train` policy from a folder inside SEIGE_LEARNED_DIR (clients name it, so it stays inside). */
function learnedOpponent(spec: string, role: Role): Policy {
  const root = process.env.SEIGE_LEARNED_DIR || "./runs";
  return learnedPolicy(role, spec, learnedPath(parseLearnedSpec(spec).dir, root));
}
