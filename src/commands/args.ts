/**
 * Shared helpers for subcommands' flag parsing (node's util.parseArgs), so every
 * command reports bad flags the same way: a `CliUsageError` that the dispatcher
 * prints with exit code 2.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

/** parseArgs, with its errors turned into CliUsageError. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config); // strict by default: unknown flags are errors
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}

/** An integer flag, with a clear error when it is not one. */
export function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliUsageError(`--${name} expects an integer, got '${value}'`);
  return n;
}
