/**
 * Small readers for a parsed config.json object, shared by config.ts and the
 * per-architecture parsers beside it (config-gemma4.ts): typed field access
 * with a `config_error` that names the missing field. Nothing here knows any
 * architecture.
 */
import { SeigeError } from "../util/errors.js";

export type Json = Record<string, unknown>;

export function fail(message: string): never {
  throw new SeigeError("config_error", message);
}

export function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function num(c: Json, key: string): number | undefined {
  const v = c[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function need(c: Json, key: string, ...alternatives: string[]): number {
  for (const k of [key, ...alternatives]) {
    const v = num(c, k);
    if (v !== undefined) return v;
  }
  return fail(
    `config.json: field "${key}" is missing or not a number; it is required for this model_type`,
  );
}

export function nullableNum(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
