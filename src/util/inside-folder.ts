/**
 * Resolves a path that a *client* names (a replay file, a learned-policy folder)
 * inside the folder the operator allows, refusing anything that could leave it:
 * absolute paths, `..`, NUL bytes, and symlinks that lead out. It only resolves;
 * what kind of entry is wanted (a file, a folder) is the caller's check.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { SeigeError } from "./errors.js";

/** How a caller names what it resolves, for its error messages. */
export interface InsideFolderWords {
  /** e.g. "replay file 'x.jsonl'" */
  subject: string;
  /** e.g. "a relative path to a .jsonl file inside the replay folder" */
  expected: string;
  /** e.g. "the replay folder (SEIGE_REPLAY_DIR)" */
  folder: string;
}

export function resolveInside(
  name: string,
  root: string,
  words: InsideFolderWords,
  details?: unknown,
): string {
  const bad = (message: string) => new SeigeError("validation_error", message, details);
  if (name === "" || isAbsolute(name) || name.split(/[\\/]/).includes("..") || name.includes("\0"))
    throw bad(`${words.subject} must be ${words.expected} (no absolute paths, no '..')`);
  let real: string;
  try {
    real = realpathSync(join(resolve(root), name));
  } catch {
    throw bad(`${words.subject} was not found in ${words.folder}`);
  }
  // A symlink inside the folder must not lead out of it either.
  const rel = relative(realpathSync(resolve(root)), real);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw bad(`${words.subject} leads outside ${words.folder}`);
  return real;
}
