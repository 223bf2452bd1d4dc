/**
 * The Hono app of `seige lens serve`: OpenAI's `/v1/chat/completions` and
 * `/v1/models` over one lens model. A handler validates the body, renders the
 * prompt (prompt.ts), submits one sequence per choice to the batcher, and encodes
 * the answer as a chat completion or as server-sent events. Every failure
 * becomes OpenAI's `{"error": {...}}` body in `onError`.
 *
 * Streaming sends the completed answer as SSE chunks once its batch is done (a
 * role chunk, the content, the tool calls, the finish reason, optionally usage,
 * then `data: [DONE]`): clients that stream work unchanged, but tokens do not
 * arrive one by one, because the runtime generates whole batches.
 * Without `seed`, a request draws one at random, as OpenAI's API behaves.
 *
 * Browser pages are kept out as in `seige serve` (docs/server.md, "Security
 * model"), with the same guards (../http/guards.ts) answering in OpenAI's shape:
 * a foreign `Origin` on a POST is 403, a loopback-bound server answers only
 * loopback `Host` names (DNS rebinding), and a completion needs a JSON content
 * type (415), so a page cannot post a `text/plain` "simple" request.
 */

import { randomInt, randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isSeigeError } from "../../util/errors.js";
import type { HostPolicy } from "../host.js";
import { isJsonType } from "../http/body.js";
import { hostGuard, originGuard, type Refuse, sizeGuard } from "../http/guards.js";
import type { GenerationBatcher } from "./batcher.js";
import { type ChatRenderer, type ParsedToolCall, parseToolCalls, renderPrompt } from "./prompt.js";
import { type ChatRequest, ChatRequestSchema, type OpenAIErrorBody } from "./schemas.js";

export interface OpenAIAppContext {
  model: ChatRenderer & { config: { maxPositions: number } };
  batcher: GenerationBatcher;
  /** the id `/v1/models` lists and requests name */
  modelId: string;
  /** other names accepted in `model` (e.g. the directory given on the command line) */
  aliases?: string[];
  /** default max_tokens when a request gives none */
  defaultMaxTokens?: number;
  log?: (line: string) => void;
  /** browser origins allowed to POST (SEIGE_ALLOWED_ORIGINS; ../origin.ts); default none */
  allowedOrigins?: readonly string[];
  /** the Host check of a loopback-bound server (SEIGE_ALLOWED_HOSTS; ../host.ts); none when absent */
  hostPolicy?: HostPolicy;
}

/** A guard's refusal in OpenAI's error shape. */
const refuseOpenAI: Refuse = (c, status, message) =>
  c.json(errorBody(status === 403 ? "permission_error" : "invalid_request_error", message), status);

/** An error with an HTTP status, thrown by handlers and shaped by onError. */
export class OpenAIHttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: OpenAIErrorBody["error"]["type"],
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

interface Choice {
  index: number;
  content: string | null;
  toolCalls: ParsedToolCall[];
  finishReason: "stop" | "length" | "tool_calls";
  completionTokens: number;
}

export function createOpenAIApp(ctx: OpenAIAppContext): Hono {
  const app = new Hono();
  const created = Math.floor(Date.now() / 1000);
  const maxBody = 8 * 1024 * 1024;
  if (ctx.hostPolicy) app.use("*", hostGuard(ctx.hostPolicy, refuseOpenAI));
  app.use("*", originGuard(ctx.allowedOrigins ?? [], refuseOpenAI));
  app.use("*", sizeGuard(maxBody, refuseOpenAI));

  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: [{ id: ctx.modelId, object: "model", created, owned_by: "seige" }],
    }),
  );
  app.get("/health", (c) => c.json({ status: "healthy" }));

  app.post("/v1/chat/completions", async (c) => {
    if (!isJsonType(c.req.header("content-type"))) {
      await c.req.arrayBuffer(); // read it first, so a client writing the body sees the 415
      throw new OpenAIHttpError(
        415,
        "invalid_request_error",
        "POST /v1/chat/completions takes a JSON body with Content-Type: application/json",
      );
    }
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new OpenAIHttpError(400, "invalid_request_error", "the body is not valid JSON");
    }
    const parsed = ChatRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join(".") ?? null;
      throw new OpenAIHttpError(
        400,
        "invalid_request_error",
        `invalid request: ${param ? `${param}: ` : ""}${issue?.message ?? "malformed"}`,
        param,
      );
    }
    const req = parsed.data;
    if (req.model !== ctx.modelId && !(ctx.aliases ?? []).includes(req.model)) {
      throw new OpenAIHttpError(
        404,
        "not_found_error",
        `model '${req.model}' is not served here; this server serves '${ctx.modelId}' (GET /v1/models)`,
        "model",
        "model_not_found",
      );
    }
    const { choices, promptTokens } = await complete(ctx, req);
    const id = `chatcmpl-${randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const completionTokens = choices.reduce((a, ch) => a + ch.completionTokens, 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    if (req.stream) {
      const chunks = streamChunks(id, now, ctx.modelId, choices);
      if (req.stream_options?.include_usage) {
        chunks.push({
          id,
          object: "chat.completion.chunk",
          created: now,
          model: ctx.modelId,
          choices: [],
          usage,
        });
      }
      const body = `${chunks.map((ch) => `data: ${JSON.stringify(ch)}\n\n`).join("")}data: [DONE]\n\n`;
      return c.body(body, 200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
      });
    }
    return c.json({
      id,
      object: "chat.completion",
      created: now,
      model: ctx.modelId,
      system_fingerprint: "seige-lens",
      choices: choices.map((ch) => ({
        index: ch.index,
        message: {
          role: "assistant",
          content: ch.content,
          ...(ch.toolCalls.length > 0 ? { tool_calls: ch.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: ch.finishReason,
      })),
      usage,
    });
  });

  app.notFound((c) =>
    c.json(errorBody("not_found_error", `no route ${c.req.method} ${c.req.path}`), 404),
  );
  app.onError((err, c) => {
    if (err instanceof OpenAIHttpError) {
      return c.json(errorBody(err.type, err.message, err.param, err.code), err.status);
    }
    if (isSeigeError(err)) {
      const status = err.code === "validation_error" ? 400 : 500;
      const type = status === 400 ? "invalid_request_error" : "server_error";
      return c.json(errorBody(type, err.message, null, err.code), status);
    }
    ctx.log?.(`internal error: ${(err as Error).stack ?? String(err)}`);
    return c.json(errorBody("server_error", "internal error; see the server log"), 500);
  });
  return app;
}

function errorBody(
  type: OpenAIErrorBody["error"]["type"],
  message: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** Renders, generates (one batched sequence per choice) and parses tool calls. */
async function complete(
  ctx: OpenAIAppContext,
  req: ChatRequest,
): Promise<{ choices: Choice[]; promptTokens: number }> {
  const tools = req.tools ?? [];
  const tokens = renderPrompt(ctx.model, req.messages, tools);
  const maxPos = ctx.model.config.maxPositions;
  const room = maxPos - tokens.length;
  if (room < 1) {
    throw new OpenAIHttpError(
      400,
      "invalid_request_error",
      `the prompt is ${tokens.length} tokens and the model's context is ${maxPos}; shorten the messages`,
      "messages",
      "context_length_exceeded",
    );
  }
  // As vLLM does with a max_tokens past the context: generate what fits.
  const asked = req.max_completion_tokens ?? req.max_tokens ?? ctx.defaultMaxTokens ?? 256;
  const maxNewTokens = Math.min(asked, room);
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : req.stop;
  const seed = req.seed ?? randomInt(0, 2 ** 31 - 1);
  const n = req.n ?? 1;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      ctx.batcher.submit({
        tokens,
        // Choice i samples from seed + i, so n > 1 gives distinct answers.
        seed: seed + i,
        temperature: req.temperature ?? 1,
        topP: req.top_p ?? 1,
        maxNewTokens,
        stop,
      }),
    ),
  );
  const choices = results.map((r, index): Choice => {
    const { calls, rest } = parseToolCalls(r.text, tools, req.tool_choice);
    return {
      index,
      content: calls.length > 0 ? rest || null : r.text,
      toolCalls: calls,
      finishReason: calls.length > 0 ? "tool_calls" : r.finishReason,
      completionTokens: r.tokens.length,
    };
  });
  return { choices, promptTokens: tokens.length };
}

function streamChunks(
  id: string,
  created: number,
  model: string,
  choices: Choice[],
): Record<string, unknown>[] {
  const chunk = (choice: Record<string, unknown>) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [choice],
  });
  const out: Record<string, unknown>[] = [];
  for (const ch of choices) {
    out.push(
      chunk({ index: ch.index, delta: { role: "assistant", content: "" }, finish_reason: null }),
    );
    if (ch.content)
      out.push(chunk({ index: ch.index, delta: { content: ch.content }, finish_reason: null }));
    if (ch.toolCalls.length > 0) {
      out.push(
        chunk({
          index: ch.index,
          delta: { tool_calls: ch.toolCalls.map((t, i) => ({ index: i, ...t })) },
          finish_reason: null,
        }),
      );
    }
    out.push(chunk({ index: ch.index, delta: {}, finish_reason: ch.finishReason }));
  }
  return out;
}
