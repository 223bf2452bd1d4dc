/**
 * A small client for OpenAI-compatible chat completions (vLLM, llama.cpp server,
 * Ollama, OpenAI, `seige lens serve`) over the global `fetch`. One call is one
 * POST to `/v1/chat/completions`; transient failures (HTTP 429, 5xx, network
 * errors, timeouts) are retried with exponential backoff, while other 4xx replies
 * fail at once because repeating the same request cannot fix them. Replies are
 * parsed with zod into a typed, camel-cased shape; anything else becomes a
 * `SeigeError` whose message says what to check.
 *
 * It deliberately does not stream, does not parse tool arguments (that is the
 * caller's policy: agents count malformed replies), and keeps no connection
 * pool or global state, so it is safe to call from many episodes at once.
 */

import { z } from "zod";
import { SeigeError } from "./errors.js";

export const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function").default("function"),
  function: z.object({
    name: z.string(),
    // OpenAI sends a JSON string; some servers send an object. Normalise to a string.
    arguments: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .transform((a) => (typeof a === "string" ? a : JSON.stringify(a)))
      .default("{}"),
  }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ChatMessage {
  role: ChatRole;
  content: string | null;
  /** Assistant messages that called tools. */
  tool_calls?: ToolCall[];
  /** Tool messages: the id of the call this answers. */
  tool_call_id?: string;
  name?: string;
}

/** A function tool as OpenAI's `tools` array carries it. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export type ToolChoice =
  | "auto"
  | "none"
  | "required"
  | { type: "function"; function: { name: string } };

export interface ChatCompletionRequest {
  /** `http://host:port`, `http://host:port/v1` or the same with a trailing slash. */
  baseUrl: string;
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  temperature?: number;
  topP?: number;
  seed?: number;
  maxTokens?: number;
  stop?: string[];
  apiKey?: string;
  /** Per attempt; default 60 s. */
  timeoutMs?: number;
  /** Extra attempts after the first on transient failures; default 2. */
  retries?: number;
  /** First backoff delay; doubles per retry (capped at 8 s); default 250 ms. */
  backoffMs?: number;
  /** Cancels the call and any retry wait; never retried. */
  signal?: AbortSignal;
  /** Injected for tests; default the global `fetch`. */
  fetchImpl?: typeof fetch;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatCompletionReply {
  id: string;
  model: string;
  /** The assistant's text; null when it only called tools. */
  content: string | null;
  toolCalls: ToolCall[];
  /** "stop", "length", "tool_calls", ... as the server said; "unknown" if absent. */
  finishReason: string;
  usage?: ChatUsage;
  /** How many HTTP attempts it took (1 when the first succeeded). */
  attempts: number;
  /** Wall time of the whole call including retries, in milliseconds. */
  latencyMs: number;
}

const ReplySchema = z.object({
  id: z.string().default(""),
  model: z.string().default(""),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z.array(ToolCallSchema).nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().default(0),
      completion_tokens: z.number().default(0),
      total_tokens: z.number().default(0),
    })
    .nullable()
    .optional(),
});

const ModelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/** Joins a base URL and an API path (`/chat/completions`, `/models`) under `/v1`. */
export function endpointUrl(baseUrl: string, path: string): string {
  let base = baseUrl.trim().replace(/\/+$/, "");
  if (!/^https?:\/\//i.test(base)) {
    throw new SeigeError(
      "config_error",
      `OpenAI-compatible base URL must start with http:// or https://, got "${baseUrl}".`,
    );
  }
  if (!/\/v1$/.test(base)) base = `${base}/v1`;
  return `${base}${path.startsWith("/") ? path : `/${path}`}`;
}

/** Builds the JSON body OpenAI expects from our camel-cased request. */
export function requestBody(req: ChatCompletionRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, messages: req.messages };
  if (req.tools !== undefined && req.tools.length > 0) body.tools = req.tools;
  if (req.toolChoice !== undefined) body.tool_choice = req.toolChoice;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.stop !== undefined && req.stop.length > 0) body.stop = req.stop;
  return body;
}

/** One chat completion, with timeouts and retries on transient failures. */
export async function chatCompletion(req: ChatCompletionRequest): Promise<ChatCompletionReply> {
  const url = endpointUrl(req.baseUrl, "/chat/completions");
  const started = performance.now();
  const { json, attempts } = await requestJson(url, {
    method: "POST",
    body: JSON.stringify(requestBody(req)),
    apiKey: req.apiKey,
    timeoutMs: req.timeoutMs,
    retries: req.retries,
    backoffMs: req.backoffMs,
    signal: req.signal,
    fetchImpl: req.fetchImpl,
  });
  const parsed = ReplySchema.safeParse(json);
  if (!parsed.success) {
    throw new SeigeError(
      "backend_unavailable",
      `${url} answered 200 but not with a chat completion (no choices[0].message); check that the URL points at an OpenAI-compatible server.`,
      { issues: parsed.error.issues.slice(0, 5) },
    );
  }
  const r = parsed.data;
  const choice = r.choices[0];
  if (choice === undefined) throw new Error("unreachable: choices has min(1)");
  const usage = r.usage
    ? {
        promptTokens: r.usage.prompt_tokens,
        completionTokens: r.usage.completion_tokens,
        totalTokens: r.usage.total_tokens,
      }
    : undefined;
  return {
    id: r.id,
    model: r.model || req.model,
    content: choice.message.content ?? null,
    toolCalls: choice.message.tool_calls ?? [],
    finishReason: choice.finish_reason ?? "unknown",
    ...(usage ? { usage } : {}),
    attempts,
    latencyMs: performance.now() - started,
  };
}

export interface ListModelsOptions {
  apiKey?: string;
  timeoutMs?: number;
  retries?: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

/** The model ids an endpoint serves (`GET /v1/models`). */
export async function listModels(baseUrl: string, opts: ListModelsOptions = {}): Promise<string[]> {
  const url = endpointUrl(baseUrl, "/models");
  const { json } = await requestJson(url, { method: "GET", ...opts });
  const parsed = ModelsSchema.safeParse(json);
  if (!parsed.success) {
    throw new SeigeError(
      "backend_unavailable",
      `${url} did not answer with {"data": [{"id": ...}]}; check that it is an OpenAI-compatible server.`,
    );
  }
  return parsed.data.data.map((m) => m.id);
}

interface HttpOptions {
  method: "GET" | "POST";
  body?: string;
  apiKey?: string;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

const MAX_BACKOFF_MS = 8000;

/** Transient: worth the same request again after a pause. */
function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

async function requestJson(
  url: string,
  o: HttpOptions,
): Promise<{ json: unknown; attempts: number }> {
  const retries = Math.max(0, Math.floor(o.retries ?? 2));
  const timeoutMs = o.timeoutMs ?? 60_000;
  const doFetch = o.fetchImpl ?? fetch;
  const headers: Record<string, string> = { accept: "application/json" };
  if (o.body !== undefined) headers["content-type"] = "application/json";
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;

  let lastProblem = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const wait = Math.min(MAX_BACKOFF_MS, (o.backoffMs ?? 250) * 2 ** (attempt - 1));
      await sleep(wait, o.signal);
    }
    throwIfAborted(o.signal, url);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method: o.method, headers, body: o.body, signal });
      text = await res.text();
    } catch (e) {
      throwIfAborted(o.signal, url);
      lastProblem = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : `network error: ${(e as Error).message}${causeOf(e)}`;
      continue;
    }
    if (res.ok) {
      try {
        return { json: JSON.parse(text), attempts: attempt + 1 };
      } catch {
        throw new SeigeError(
          "backend_unavailable",
          `${url} answered ${res.status} with a body that is not JSON; check that it is an OpenAI-compatible server.`,
          { body: text.slice(0, 500) },
        );
      }
    }
    const detail = errorMessageOf(text);
    if (isTransientStatus(res.status)) {
      lastProblem = `HTTP ${res.status}${detail ? `: ${detail}` : ""}`;
      continue;
    }
    throw clientError(url, res.status, detail);
  }
  throw new SeigeError(
    "backend_unavailable",
    `${url} failed after ${retries + 1} attempt(s) (${lastProblem}); check that the server is running and reachable, or raise timeoutMs/retries.`,
    { attempts: retries + 1, lastProblem },
  );
}

function clientError(url: string, status: number, detail: string): SeigeError {
  const said = detail ? ` (server said: ${detail})` : "";
  if (status === 401 || status === 403) {
    return new SeigeError(
      "config_error",
      `${url} refused the credentials (HTTP ${status})${said}; set the API key.`,
      { status },
    );
  }
  if (status === 404) {
    return new SeigeError(
      "config_error",
      `${url} not found (HTTP 404)${said}; check the base URL and the model name.`,
      { status },
    );
  }
  return new SeigeError(
    "validation_error",
    `${url} rejected the request (HTTP ${status})${said}.`,
    {
      status,
    },
  );
}

/** The `error.message` of an OpenAI-shaped error body, or a short prefix of the text. */
function errorMessageOf(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === "string") return j.error;
    if (j.error && typeof j.error.message === "string") return j.error.message;
    if (typeof j.message === "string") return j.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return ` (${cause.code})`;
  return "";
}

function throwIfAborted(signal: AbortSignal | undefined, url: string): void {
  if (signal?.aborted) {
    throw new SeigeError("execution_error", `request to ${url} was cancelled by the caller.`);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
