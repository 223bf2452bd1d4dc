/**
 * Turns a chat reply into one game action, or says precisely why it cannot.
 * A reply may carry a function call (the first one counts), or text holding one
 * JSON object — `{"tool": name, "arguments": {...}}`, the same with `name`, or a
 * whole action with `agent_type` — possibly inside a Markdown code fence. Models
 * in tool mode sometimes answer in text anyway, so text is always tried too.
 * Arguments are validated with the tool's zod schema and then the action schema,
 * so what comes out is exactly what the env would accept as well-formed.
 *
 * It never throws and never guesses a default: the policy decides what to do
 * with a malformed reply (count it, fall back to a safe action).
 */
import { type Action, ActionSchema, type Role } from "../../arena/schema.js";
import type { ToolDef } from "../../arena/tools.js";
import { jsonObjectEnd } from "../../util/json-scan.js";
import type { ChatCompletionReply } from "../../util/openai.js";

export const MALFORMED_KINDS = [
  "no_action", // neither a tool call nor a JSON object in the text
  "invalid_json", // a tool call or text object that is not valid JSON
  "unknown_tool", // a tool that does not exist or is not legal for this role now
  "invalid_arguments", // arguments the tool's schema rejects
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export type ParseResult =
  | { ok: true; action: Action; via: "tool_call" | "json" }
  | { ok: false; kind: MalformedKind; message: string };

const fail = (kind: MalformedKind, message: string): ParseResult => ({ ok: false, kind, message });

/** The first balanced `{...}` in `text` that parses as a JSON object, or why there is none. */
export function extractJsonObject(text: string): { value: unknown } | { error: MalformedKind } {
  let sawBrace = false;
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) {
    sawBrace = true;
    const end = jsonObjectEnd(text, start);
    if (end < 0) continue;
    try {
      const value = JSON.parse(text.slice(start, end + 1));
      if (value && typeof value === "object" && !Array.isArray(value)) return { value };
    } catch {
      // try the next opening brace
    }
  }
  return { error: sawBrace ? "invalid_json" : "no_action" };
}

function fromTool(
  role: Role,
  tools: readonly ToolDef[],
  name: unknown,
  rawArgs: unknown,
  via: "tool_call" | "json",
): ParseResult {
  const tool = tools.find((t) => t.name === name);
  if (!tool?.toAction) {
    return fail(
      "unknown_tool",
      `'${String(name)}' is not one of ${role}'s tools now (${tools.map((t) => t.name).join(", ")})`,
    );
  }
  if (
    rawArgs !== undefined &&
    (rawArgs === null || typeof rawArgs !== "object" || Array.isArray(rawArgs))
  )
    return fail("invalid_arguments", `arguments of ${tool.name} must be an object`);
  // Models often repeat the fields the tool name fixes; they are harmless, so drop them.
  const {
    agent_type: _a,
    strategy: _s,
    action_type: _t,
    ...args
  } = (rawArgs ?? {}) as Record<string, unknown>;
  const parsed = tool.args.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      "invalid_arguments",
      `arguments of ${tool.name}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const action = ActionSchema.safeParse(tool.toAction(parsed.data as Record<string, unknown>));
  if (!action.success)
    return fail("invalid_arguments", `${tool.name}: ${action.error.issues[0]?.message}`);
  return { ok: true, action: action.data, via };
}

/** Parses a text reply (JSON mode, or a tool-mode model that answered in text). */
export function parseText(role: Role, tools: readonly ToolDef[], text: string): ParseResult {
  const found = extractJsonObject(text);
  if ("error" in found)
    return fail(
      found.error,
      found.error === "no_action"
        ? "the reply holds no JSON object"
        : "the reply's JSON does not parse",
    );
  const o = found.value as Record<string, unknown>;
  if (typeof o.tool === "string" || typeof o.name === "string")
    return fromTool(
      role,
      tools,
      o.tool ?? o.name,
      o.arguments ?? o.parameters ?? o.args ?? {},
      "json",
    );
  // A whole action: its strategy / action_type names the tool.
  const name = role === "red" ? o.strategy : o.action_type;
  if (o.agent_type !== undefined && o.agent_type !== role)
    return fail("unknown_tool", `an action for ${String(o.agent_type)}, but you play ${role}`);
  if (typeof name !== "string") return fail("no_action", "the JSON object names no tool");
  return fromTool(role, tools, name, o, "json");
}

/** Parses a chat reply: the first tool call if there is one, else the text. */
export function parseReply(
  role: Role,
  tools: readonly ToolDef[],
  reply: Pick<ChatCompletionReply, "content" | "toolCalls">,
): ParseResult {
  const call = reply.toolCalls[0];
  if (call) {
    let args: unknown;
    try {
      args = call.function.arguments.trim() === "" ? {} : JSON.parse(call.function.arguments);
    } catch {
      return fail("invalid_json", `arguments of the ${call.function.name} call are not JSON`);
    }
    return fromTool(role, tools, call.function.name, args, "tool_call");
  }
  return parseText(role, tools, reply.content ?? "");
}
