/**
 * The black-box target from environment variables, for `createTarget`
 * (SEIGE_TARGET_BACKEND=openai): SEIGE_TARGET_URL (required), SEIGE_TARGET_MODEL
 * (required), SEIGE_TARGET_API_KEY (optional; local servers need none),
 * SEIGE_TARGET_CONCURRENCY (default 8) and SEIGE_TARGET_TIMEOUT_S (default 60).
 * Missing or malformed values are `config_error`s that say what to set.
 */
import { SeigeError } from "../../util/errors.js";
import { OpenAITarget } from "./openai-target.js";

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new SeigeError("config_error", `${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function openAITargetFromEnv(env: NodeJS.ProcessEnv = process.env): OpenAITarget {
  const baseUrl = env.SEIGE_TARGET_URL?.trim();
  const model = env.SEIGE_TARGET_MODEL?.trim();
  const missing = [!baseUrl && "SEIGE_TARGET_URL", !model && "SEIGE_TARGET_MODEL"].filter(Boolean);
  if (missing.length > 0 || !baseUrl || !model) {
    throw new SeigeError(
      "config_error",
      `SEIGE_TARGET_BACKEND=openai needs ${missing.join(" and ")}: the endpoint's base URL (e.g. http://127.0.0.1:8080/v1, from vLLM or \`seige lens serve\`) and its model name, SEIGE_TARGET_API_KEY if it needs one (or SEIGE_TARGET_BACKEND=sim for the simulator)`,
    );
  }
  if (!/^https?:\/\//i.test(baseUrl))
    throw new SeigeError(
      "config_error",
      `SEIGE_TARGET_URL must start with http:// or https://, got "${baseUrl}"`,
    );
  return new OpenAITarget({
    baseUrl,
    model,
    apiKey: env.SEIGE_TARGET_API_KEY?.trim() || undefined,
    concurrency: positiveInt(env, "SEIGE_TARGET_CONCURRENCY", 8),
    timeoutMs: positiveInt(env, "SEIGE_TARGET_TIMEOUT_S", 60) * 1000,
  });
}
