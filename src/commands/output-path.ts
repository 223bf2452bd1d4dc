/**
 * Checks, before a long run starts, that a command will be able to write its
 * output file: the folder exists and is writable, and the path is not a
 * folder. A run that fails only when it writes its results loses them (issue:
 * `seige eval --html missing/x.html` after the whole matrix). It does not create
 * the file or any folder: a run that fails for another reason leaves nothing behind.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliUsageError } from "./args.js";

/** Throws a CliUsageError naming `--flag` when `path` cannot be written. */
export function checkOutputPath(path: string, flag: string): void {
  const full = resolve(path);
  const dir = dirname(full);
  let dirStat: ReturnType<typeof statSync>;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new CliUsageError(
      `--${flag} ${path}: the folder ${dir} does not exist (create it first, e.g. mkdir -p ${dirname(path)})`,
    );
  }
  if (!dirStat.isDirectory()) throw new CliUsageError(`--${flag} ${path}: ${dir} is not a folder`);
  let existing: ReturnType<typeof statSync> | null = null;
  try {
    existing = statSync(full);
  } catch {
    // the file does not exist yet: the folder must be writable
  }
  if (existing?.isDirectory())
    throw new CliUsageError(`--${flag} ${path}: is a folder; give a file name`);
  try {
    accessSync(existing ? full : dir, constants.W_OK);
  } catch {
    throw new CliUsageError(`--${flag} ${path}: not writable (permission denied)`);
  }
}
