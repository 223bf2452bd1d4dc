/**
 * Server limits and metadata from the environment variables `seige serve`
 * documents (docs/server.md). Reads `process.env` once, at start; nothing else
 * in src/server reads the environment.
 */
import { readFileSync } from "node:fs";
import { SeigeError } from "../util/errors.js";
import { splitHost } from "./host.js";
import type { ServerInfo, ServerLimits } from "./types.js";

export const DEFAULT_LIMITS: ServerLimits = {
  maxSessions: 64,
  maxHttpEpisodes: 256,
  idleTimeoutMs: 600_000,
  maxFrameBytes: 1 << 20,
  maxBodyBytes: 1 << 20,
  maxQueuedFrames: 64,
};

/** The package version; src/server and dist/server both sit two levels below package.json. */
function packageVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version ??
      "0.0.0"
    );
  } catch {
    return "0.0.0";
  }
}

export const SERVER_INFO: ServerInfo = {
  name: "seige",
  description:
    "A two-role RL environment for AI oversight: Red attacks a frozen target LLM in text and in its residual stream; Blue probes, flags, blocks and patches.",
  version: packageVersion(),
  readme_content: null,
  author: null,
  documentation_url: null,
};

/**
 * A positive integer variable, or `fallback` when unset. `fallback` is already
 * in the result's unit: `scale` converts only what the operator typed (seconds
 * to ms), so an unset variable cannot skip or double the conversion.
 */
function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, scale = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new SeigeError("config_error", `${name} must be a positive integer, got '${raw}'`);
  return n * scale;
}

/**
 * `SEIGE_ALLOWED_ORIGINS`: comma-separated browser origins (`scheme://host[:port]`)
 * allowed besides the server's own, or `*` for any (origin.ts).
 */
export function allowedOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.SEIGE_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      if (s === "*") return s;
      try {
        const origin = new URL(s).origin;
        if (origin !== "null") return origin;
      } catch {
        // reported below
      }
      throw new SeigeError(
        "config_error",
        `SEIGE_ALLOWED_ORIGINS: '${s}' is not an origin (expected e.g. https://example.org:8443, or *)`,
      );
    });
}

/** `SEIGE_ALLOWED_HOSTS`: comma-separated `host` or `host:port` entries, or `*` (host.ts). */
export function allowedHostsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.SEIGE_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "")
    .map((s) => {
      if (s === "*") return s;
      const parsed = splitHost(s);
      if (parsed) return parsed.port === null ? parsed.name : `${parsed.name}:${parsed.port}`;
      throw new SeigeError(
        "config_error",
        `SEIGE_ALLOWED_HOSTS: '${s}' is not a host (expected e.g. arena.example.org or arena.example.org:8000, or *)`,
      );
    });
}

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerLimits {
  return {
    maxSessions: positiveInt(env, "SEIGE_MAX_SESSIONS", DEFAULT_LIMITS.maxSessions),
    maxHttpEpisodes: positiveInt(env, "SEIGE_MAX_HTTP_EPISODES", DEFAULT_LIMITS.maxHttpEpisodes),
    idleTimeoutMs: positiveInt(env, "SEIGE_SESSION_IDLE_S", DEFAULT_LIMITS.idleTimeoutMs, 1000),
    maxFrameBytes: positiveInt(env, "SEIGE_MAX_FRAME_BYTES", DEFAULT_LIMITS.maxFrameBytes),
    maxBodyBytes: positiveInt(env, "SEIGE_MAX_BODY_BYTES", DEFAULT_LIMITS.maxBodyBytes),
    maxQueuedFrames: DEFAULT_LIMITS.maxQueuedFrames,
  };
}
