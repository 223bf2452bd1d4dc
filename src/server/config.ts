/**
 * Server limits and metadata from the environment variables `seige serve`
 * documents (docs/server.md). Reads `process.env` once, at start; nothing else
 * in src/server reads the environment.
 */
import { readFileSync } from "node:fs";
import { SeigeError } from "../util/errors.js";
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

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, scale = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback * scale;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new SeigeError("config_error", `${name} must be a positive integer, got '${raw}'`);
  return n * scale;
}

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerLimits {
  return {
    maxSessions: positiveInt(env, "SEIGE_MAX_SESSIONS", DEFAULT_LIMITS.maxSessions),
    maxHttpEpisodes: positiveInt(env, "SEIGE_MAX_HTTP_EPISODES", DEFAULT_LIMITS.maxHttpEpisodes),
    idleTimeoutMs: positiveInt(
      env,
      "SEIGE_SESSION_IDLE_S",
      DEFAULT_LIMITS.idleTimeoutMs / 1000,
      1000,
    ),
    maxFrameBytes: positiveInt(env, "SEIGE_MAX_FRAME_BYTES", DEFAULT_LIMITS.maxFrameBytes),
    maxBodyBytes: positiveInt(env, "SEIGE_MAX_BODY_BYTES", DEFAULT_LIMITS.maxBodyBytes),
    maxQueuedFrames: DEFAULT_LIMITS.maxQueuedFrames,
  };
}
