/**
 * Checkpoints of learned policies, as one plain JSON file `policy.json` in a
 * folder: role, network shape, the action-head layout it was trained with, the
 * policy and value parameters, and how it was trained. `learned:DIR` names such a
 * folder wherever a policy name is accepted (`?sample=1` samples from the policy
 * instead of taking each head's most probable option).
 *
 * Loading checks the role and the head layout against the current game, so a
 * checkpoint from another vocabulary is refused with a clear message. When a
 * *client* names the folder (a server opponent), `learnedPath` keeps it inside an
 * allowed root, as replay files are kept inside theirs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Policy } from "../agents/types.js";
import type { Role } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";
import { resolveInside } from "../util/inside-folder.js";
import { LearnedBlue } from "./blue-policy.js";
import { blueHeads, redHeads } from "./heads.js";
import { Mlp, type MlpShape } from "./mlp.js";
import { LearnedRed } from "./red-policy.js";

export const CHECKPOINT_FORMAT = "seige-learned/1";
export const CHECKPOINT_FILE = "policy.json";

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  role: Role;
  policy: { shape: MlpShape; params: number[] };
  value: { shape: MlpShape; params: number[] };
  heads: { name: string; options: string[] }[];
  /** how it was trained (opponent, stage, seed, episodes, seconds) — for people, not for loading */
  trained: Record<string, unknown>;
}

export function saveCheckpoint(dir: string, c: Checkpoint): void {
  writeFileSync(join(dir, CHECKPOINT_FILE), `${JSON.stringify(c)}\n`);
}

export function readCheckpoint(dir: string): Checkpoint {
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8")) as Checkpoint;
  } catch (e) {
    throw new SeigeError(
      "validation_error",
      `no readable learned policy in '${dir}' (expected ${CHECKPOINT_FILE} written by seige train): ${(e as Error).message}`,
    );
  }
  if (c?.format !== CHECKPOINT_FORMAT) {
    throw new SeigeError("validation_error", `'${dir}' is not a ${CHECKPOINT_FORMAT} checkpoint`);
  }
  return c;
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

/** Loads a learned policy for `role` from `learned:DIR[?sample=1]`. */
export function learnedPolicy(role: Role, spec: string, dir = parseLearnedSpec(spec).dir): Policy {
  const { sample } = parseLearnedSpec(spec);
  const c = readCheckpoint(dir);
  if (c.role !== role) {
    throw new SeigeError("validation_error", `'${spec}' is a ${c.role} policy, not ${role}`);
  }
  try {
    (role === "blue" ? blueHeads() : redHeads()).assertSame(c.heads, `'${spec}'`);
    const net = netOf(c.policy);
    return role === "blue"
      ? new LearnedBlue(spec, net, !sample)
      : new LearnedRed(spec, net, !sample);
  } catch (e) {
    throw new SeigeError("validation_error", (e as Error).message);
  }
}

/** Resolves a client-named folder inside `root`, refusing absolute paths, `..` and symlinks out. */
export function learnedPath(folder: string, root: string): string {
  return resolveInside(folder, root, {
    subject: `learned policy '${folder.slice(0, 80)}'`,
    expected: "a relative folder inside the learned-policy root",
    folder: "the learned-policy root (SEIGE_LEARNED_DIR)",
  });
}
