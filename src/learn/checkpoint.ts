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
import {
  CHECKPOINT_FORMAT,
  type Checkpoint,
  parseLearnedSpec,
  policyFromCheckpoint,
} from "./from-checkpoint.js";

export {
  CHECKPOINT_FORMAT,
  type Checkpoint,
  netOf,
  parseLearnedSpec,
  policyFromCheckpoint,
} from "./from-checkpoint.js";
export const CHECKPOINT_FILE = "policy.json";

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

/** Loads a learned policy for `role` from `learned:DIR[?sample=1]`. */
export function learnedPolicy(role: Role, spec: string, dir = parseLearnedSpec(spec).dir): Policy {
  return policyFromCheckpoint(role, spec, readCheckpoint(dir));
}

/** Resolves a client-named folder inside `root`, refusing absolute paths, `..` and symlinks out. */
export function learnedPath(folder: string, root: string): string {
  return resolveInside(folder, root, {
    subject: `learned policy '${folder.slice(0, 80)}'`,
    expected: "a relative folder inside the learned-policy root",
    folder: "the learned-policy root (SEIGE_LEARNED_DIR)",
  });
}
