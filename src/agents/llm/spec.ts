/**
 * The `llm:<url>#<model>[?option=value&...]` policy spec, parsed into the options
 * of an LLM policy. The URL is any OpenAI-compatible base (`http://host:8000` or
 * `http://host:8000/v1`); the fragment names the model; options after `?` in the
 * fragment tune one endpoint: `tools=0` (JSON fallback for servers without
 * function calling), `temperature`, `top_p`, `max_tokens`, `timeout_ms`,
 * `retries`, `concurrency`. The API key never travels in a spec: it comes from
 * `SEIGE_AGENT_API_KEY`. This file does not check who may call which host; the
 * env's opponent allow-list does that.
 */
import { SeigeError } from "../../util/errors.js";

export interface LlmOptions {
  baseUrl: string;
  model: string;
  /** offer actions as function-calling tools (default) or ask for one JSON object */
  tools: boolean;
  temperature: number;
  topP?: number;
  maxTokens: number;
  timeoutMs: number;
  retries: number;
  /** most requests in flight to this endpoint from this process */
  concurrency: number;
  apiKey?: string;
}

export const LLM_DEFAULTS = {
  tools: true,
  temperature: 0.7,
  maxTokens: 512,
  timeoutMs: 60_000,
  retries: 2,
  concurrency: 8,
} as const;

const NUMERIC: Record<string, keyof LlmOptions> = {
  temperature: "temperature",
  top_p: "topP",
  max_tokens: "maxTokens",
  timeout_ms: "timeoutMs",
  retries: "retries",
  concurrency: "concurrency",
};

const bad = (spec: string, why: string) =>
  new SeigeError(
    "validation_error",
    `policy '${spec}': ${why}; expected llm:<url>#<model>[?tools=0&temperature=0.7&...]`,
  );

/** Parses a spec (with or without the `llm:` prefix); `overrides` win over the spec's options. */
export function parseLlmSpec(spec: string, overrides: Partial<LlmOptions> = {}): LlmOptions {
  const body = spec.startsWith("llm:") ? spec.slice(4) : spec;
  const hash = body.indexOf("#");
  if (hash < 0) throw bad(spec, "no '#<model>'");
  const baseUrl = body.slice(0, hash);
  const [model = "", query = ""] = body.slice(hash + 1).split(/\?(.*)/s, 2);
  if (model === "") throw bad(spec, "empty model name");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw bad(spec, `'${baseUrl}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw bad(spec, "the URL must be http(s)");
  const options: LlmOptions = {
    baseUrl,
    model,
    ...LLM_DEFAULTS,
    ...(process.env.SEIGE_AGENT_API_KEY ? { apiKey: process.env.SEIGE_AGENT_API_KEY } : {}),
  };
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === "tools") {
      if (!["0", "1", "false", "true", "off", "on"].includes(value))
        throw bad(spec, `tools=${value} (use tools=0 or tools=1)`);
      options.tools = ["1", "true", "on"].includes(value);
      continue;
    }
    const field = NUMERIC[key];
    const n = Number(value);
    if (!field) throw bad(spec, `unknown option '${key}'`);
    if (value === "" || !Number.isFinite(n) || n < 0)
      throw bad(spec, `${key}=${value} is not a number ≥ 0`);
    (options as unknown as Record<string, number>)[field] = n;
  }
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw bad(spec, "concurrency must be a positive integer");
  return { ...options, ...overrides };
}
