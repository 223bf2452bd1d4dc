/**
 * The wire shapes of `seige lens serve`'s OpenAI-compatible API, as zod schemas
 * (one source; the types come from them): the chat-completions request as
 * OpenAI documents it, the subset we honour, and the `{"error": {...}}` reply.
 * Unknown request fields (logprobs, presence_penalty, ...) are accepted and
 * ignored, as vLLM does, so ordinary clients work unchanged.
 *
 * It deliberately does not describe replies beyond the error shape: those are
 * built in app.ts from a generation and have no second reader here.
 */

import { z } from "zod";

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });

/** A message's content: a string, null (assistant tool calls), or text parts. */
export const ContentSchema = z
  .union([z.string(), z.null(), z.array(z.union([TextPartSchema, z.looseObject({})]))])
  .optional()
  .transform((c) => {
    if (c === undefined || c === null) return "";
    if (typeof c === "string") return c;
    return c.map((p) => (p.type === "text" && typeof p.text === "string" ? p.text : "")).join("");
  });

export const ToolCallInSchema = z.object({
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.object({
    name: z.string(),
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  }),
});

export const MessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: ContentSchema,
  name: z.string().optional(),
  tool_calls: z.array(ToolCallInSchema).nullable().optional(),
  tool_call_id: z.string().optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const ToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type Tool = z.infer<typeof ToolSchema>;

export const ToolChoiceSchema = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);
export type ToolChoiceIn = z.infer<typeof ToolChoiceSchema>;

export const ChatRequestSchema = z.object({
  model: z.string(),
  messages: z.array(MessageSchema).min(1),
  tools: z.array(ToolSchema).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  seed: z.number().int().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  n: z.number().int().min(1).max(8).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** OpenAI's error body. `type` follows OpenAI's names so clients branch as usual. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type:
      | "invalid_request_error"
      | "permission_error"
      | "not_found_error"
      | "server_error"
      | "overloaded_error";
    param: string | null;
    code: string | null;
  };
}
