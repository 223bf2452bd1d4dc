/**
 * A learned policy from a checkpoint already in memory: no file access, so the
 * web page can run a `seige train` policy in the browser (it fetches the
 * checkpoint from the server's read-only `/runs` routes) exactly as the CLI runs
 * it from `policy.json` (checkpoint.ts reads the file, then calls this).
 *
 * It checks the role, the head layout and the feature count against the current game, so a
 * checkpoint from another vocabulary is refused with a clear message.
 */
import type { Policy } from "../agents/types.js";
import type { Role } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";
import { LearnedBlue } from "./blue-policy.js";
import { BLUE_INPUT_DIM, RED_INPUT_DIM } from "./features.js";
import { blueHeads, redHeads } from "./heads.js";
import { Mlp, type MlpShape } from "./mlp.js";
import { LearnedRed } from "./red-policy.js";

export const CHECKPOINT_FORMAT = "seige-learned/1";

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  role: Role;
  policy: { shape: MlpShape; params: number[] };
  value: { shape: MlpShape; params: number[] };
  heads: { name: string; options: string[] }[];
  /** how it was trained (opponent, stage, seed, episodes, seconds) — for people, not for loading */
  trained: Record<string, unknown>;
}

export const netOf = (n: { shape: MlpShape; params: number[] }) =>
  new Mlp(n.shape, Float64Array.from(n.params));

/** `learned:DIR[?sample=1]` → the folder and whether to sample. */
export function parseLearnedSpec(spec: string): { dir: string; sample: boolean } {
  const body = spec.slice("learned:".length);
  const q = body.indexOf("?");
  const dir = q < 0 ? body : body.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : body.slice(q + 1));
  if (dir === "")
    throw new SeigeError("validation_error", "learned: needs a folder, e.g. learned:runs/blue");
  return { dir, sample: params.get("sample") === "1" };
}

/** The policy of checkpoint `c` for `role`, named `spec` (`learned:DIR[?sample=1]`). */
export function policyFromCheckpoint(role: Role, spec: string, c: Checkpoint): Policy {
  const { sample } = parseLearnedSpec(spec);
  if (c?.format !== CHECKPOINT_FORMAT) {
    throw new SeigeError("validation_error", `'${spec}' is not a ${CHECKPOINT_FORMAT} checkpoint`);
  }
  if (c.role !== role) {
    throw new SeigeError("validation_error", `'${spec}' is a ${c.role} policy, not ${role}`);
  }
  try {
    (role === "blue" ? blueHeads() : redHeads()).assertSame(c.heads, `'${spec}'`);
    const features = role === "blue" ? BLUE_INPUT_DIM : RED_INPUT_DIM;
    if (c.policy?.shape?.input !== features) {
      throw new Error(
        `'${spec}' was trained on ${c.policy?.shape?.input} view features and this version of the game reads ${features}; retrain it`,
      );
    }
    const net = netOf(c.policy);
    return role === "blue"
      ? new LearnedBlue(spec, net, !sample)
      : new LearnedRed(spec, net, !sample);
  } catch (e) {
    throw new SeigeError("validation_error", (e as Error).message);
  }
}
