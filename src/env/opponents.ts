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
 * The llm and learned policies are imported when first named, so a server whose
 * clients never name them does not load them (start-up, issue 16).
 * This module does not decide who plays when; SeigeEnv does.
 */
import { readFileSync, statSync } from "node:fs";
import { policyNames, resolvePolicy } from "../agents/index.js";
import type { Policy } from "../agents/types.js";
import type { Action, Role } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";
import { resolveInside } from "../util/inside-folder.js";
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

/** Where a client's bad opponent is reported: the reset option `opponent`. */
const AT_OPPONENT = { loc: ["opponent"] };

const bad = (message: string) => new SeigeError("validation_error", message, AT_OPPONENT);

/**
 * Builds the opponent for one episode, already reset for `episodeSeed`. Any
 * problem with `spec` is a validation_error at `loc: ["opponent"]` that names
 * what is allowed; nothing else escapes as an internal error.
 */
export async function makeOpponent(
  spec: string,
  role: Role,
  episodeSeed: number,
  config: OpponentConfig = opponentConfigFromEnv(),
): Promise<Policy> {
  try {
    const policy = await buildOpponent(spec, role, episodeSeed, config);
    policy.reset(opponentSeed(spec, episodeSeed));
    return policy;
  } catch (e) {
    if (e instanceof SeigeError && e.code === "validation_error" && e.details === undefined)
      throw new SeigeError(e.code, e.message, AT_OPPONENT);
    throw e;
  }
}

async function buildOpponent(
  spec: string,
  role: Role,
  episodeSeed: number,
  config: OpponentConfig,
): Promise<Policy> {
  let policy: Policy;
  if (spec.startsWith("scripted:")) {
    // An own-key check: `scripted:constructor` must not reach Object.prototype.
    const name = spec.slice("scripted:".length);
    if (!policyNames(role).includes(name))
      throw bad(
        `unknown ${role} opponent '${spec.slice(0, 80)}'; choose one of: ${policyNames(role)
          .map((n) => `scripted:${n}`)
          .join(", ")}`,
      );
    policy = resolvePolicy(role, spec);
  } else if (spec.startsWith("replay:"))
    policy = replayOpponent(spec.slice("replay:".length), role, episodeSeed, config);
  else if (spec.startsWith("llm:")) {
    const { llmPolicy, parseLlmSpec } = await import("../agents/llm/index.js");
    const llm = parseLlmSpec(spec);
    const origin = new URL(llm.baseUrl).origin;
    if (!config.llmAllowlist.includes(origin)) {
      throw bad(
        `opponent endpoint ${origin} is not allowed; the server operator lists allowed origins in SEIGE_LLM_ALLOWLIST`,
      );
    }
    policy = llmPolicy(role, spec);
  } else if (spec.startsWith("learned:")) {
    policy = await learnedOpponent(spec, role);
  } else {
    throw bad(
      `unknown opponent '${spec.slice(0, 80)}': use "none", "scripted:<name>" (e.g. scripted:probe-threshold), "replay:<file.jsonl>", "llm:<url>#<model>" or "learned:<folder>"`,
    );
  }
  return policy;
}

/** Resolves a client-named replay file inside `dir`, refusing anything that could leave it. */
export function replayPath(file: string, dir: string): string {
  const real = resolveInside(
    file,
    dir,
    {
      subject: `replay file '${file.slice(0, 80)}'`,
      expected: "a relative path to a .jsonl file inside the replay folder",
      folder: "the replay folder (SEIGE_REPLAY_DIR)",
    },
    AT_OPPONENT,
  );
  // `replay:.` and `replay:<folder>` name folders: only a file can be read.
  if (!statSync(real).isFile()) {
    throw bad(
      `replay file '${file.slice(0, 80)}' is not a file; name a .jsonl recording inside the replay folder (SEIGE_REPLAY_DIR)`,
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
  const path = replayPath(file, config.replayDir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw bad(`replay file '${file.slice(0, 80)}' could not be read`);
  }
  const episodes: { seed: number | undefined; actions: Action[] }[] = [];
  for (const { line } of parseRecording(text)) {
    if (line.type === "reset") episodes.push({ seed: line.options.seed, actions: [] });
    else if (line.action.agent_type === role) episodes.at(-1)?.actions.push(line.action);
  }
  const episode = episodes.find((e) => e.seed === episodeSeed) ?? episodes[0];
  if (!episode || episode.actions.length === 0) {
    throw bad(`replay file '${file.slice(0, 80)}' holds no ${role} actions to play back`);
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
async function learnedOpponent(spec: string, role: Role): Promise<Policy> {
  const { learnedPath, learnedPolicy, parseLearnedSpec } = await import("../learn/index.js");
  const root = process.env.SEIGE_LEARNED_DIR || "./runs";
  return learnedPolicy(role, spec, learnedPath(parseLearnedSpec(spec).dir, root));
}
