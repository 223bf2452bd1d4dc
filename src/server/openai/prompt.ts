/**
 * From an OpenAI chat request to the token ids the lens model generates from,
 * and from generated text back to OpenAI `tool_calls`.
 *
 * Tools: when the checkpoint's chat template renders a `tools` variable (Qwen2.5,
 * Llama 3.1, ...; detected by rendering once with and once without), tools,
 * assistant tool calls and `tool` messages go through the template as HF's
 * `apply_chat_template(..., tools=...)` passes them. Otherwise the tools are
 * described in the system prompt, with the instruction to answer with JSON
 * objects `{"name": ..., "arguments": {...}}`, and tool turns are rendered as
 * plain text. Either way, tool calls are parsed from the generated text: every
 * balanced JSON object naming a declared tool becomes one call (so Qwen's
 * `<tool_call>{...}</tool_call>` and bare JSON both work).
 *
 * It deliberately does not constrain decoding to valid JSON: a small model may
 * answer malformed text, and the caller (an agent policy) counts that.
 */

import { SeigeError } from "../../util/errors.js";
import { jsonObjectEnd } from "../../util/json-scan.js";
import { hash128 } from "../../util/rng.js";
import type { Message, Tool, ToolChoiceIn } from "./schemas.js";

/** The part of LensModel this file needs (so tests can pass a fake). */
export interface ChatRenderer {
  chat(
    messages: readonly { role: string; content: string }[],
    opts?: { addGenerationPrompt?: boolean; extra?: Record<string, unknown> },
  ): { text: string; tokens: number[] };
  tokenizer: { hasChatTemplate: boolean; encode(text: string, o?: object): number[] } | null;
}

export interface ParsedToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

const PROBE_TOOL: Tool = {
  type: "function",
  function: { name: "probe_tool_support", description: "x", parameters: { type: "object" } },
};

/** Whether the chat template renders `tools` (cached per renderer). */
const templateToolSupport = new WeakMap<ChatRenderer, boolean>();
export function templateSupportsTools(model: ChatRenderer): boolean {
  const known = templateToolSupport.get(model);
  if (known !== undefined) return known;
  let supports = false;
  if (model.tokenizer?.hasChatTemplate) {
    const msgs = [{ role: "user", content: "x" }];
    try {
      const plain = model.chat(msgs).text;
      const withTools = model.chat(msgs, { extra: { tools: [PROBE_TOOL] } }).text;
      supports = plain !== withTools;
    } catch {
      supports = false;
    }
  }
  templateToolSupport.set(model, supports);
  return supports;
}

/** The instructions appended to the system prompt when the template has no tools support. */
export function toolsSystemText(tools: readonly Tool[]): string {
  const list = tools.map((t) => JSON.stringify(t.function)).join("\n");
  return [
    "# Tools",
    "You can call these functions. To call one, answer with only a JSON object on its own line:",
    '{"name": "<function name>", "arguments": {<arguments as the schema says>}}',
    "Available functions:",
    list,
  ].join("\n");
}

function argsObject(a: string | Record<string, unknown> | undefined): unknown {
  if (a === undefined) return {};
  if (typeof a !== "string") return a;
  try {
    return JSON.parse(a);
  } catch {
    return a;
  }
}

/** Renders the request's messages (and tools) into prompt token ids. */
export function renderPrompt(
  model: ChatRenderer,
  messages: readonly Message[],
  tools: readonly Tool[],
): number[] {
  const native = tools.length > 0 && templateSupportsTools(model);
  const viaTemplate = templateSupportsTools(model);
  const out: Record<string, unknown>[] = [];
  for (const m of messages) {
    const role = m.role === "developer" ? "system" : m.role;
    const calls = m.tool_calls ?? [];
    if (role === "assistant" && calls.length > 0) {
      if (viaTemplate) {
        out.push({
          role,
          content: m.content,
          tool_calls: calls.map((c) => ({
            type: "function",
            function: { name: c.function.name, arguments: argsObject(c.function.arguments) },
          })),
        });
      } else {
        const lines = calls.map((c) =>
          JSON.stringify({ name: c.function.name, arguments: argsObject(c.function.arguments) }),
        );
        out.push({ role, content: [m.content, ...lines].filter((s) => s !== "").join("\n") });
      }
    } else if (role === "tool" && !viaTemplate) {
      out.push({ role: "user", content: `Result of ${m.name ?? "the tool call"}: ${m.content}` });
    } else {
      out.push({
        role,
        content: m.content,
        ...(m.name ? { name: m.name } : {}),
        ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
      });
    }
  }
  if (tools.length > 0 && !native) {
    const text = toolsSystemText(tools);
    const first = out[0];
    if (first && first.role === "system") first.content = `${first.content}\n\n${text}`;
    else out.unshift({ role: "system", content: text });
  }
  const asChat = out as unknown as { role: string; content: string }[];
  if (!model.tokenizer) {
    throw new SeigeError(
      "config_error",
      "the served model has no tokenizer.json, so chat messages cannot be encoded",
    );
  }
  if (!model.tokenizer.hasChatTemplate) {
    // No template (e.g. base GPT-2): a plain "role: content" transcript.
    const text = `${asChat.map((m) => `${m.role}: ${m.content}`).join("\n")}\nassistant:`;
    return model.tokenizer.encode(text, { addSpecialTokens: true });
  }
  return model.chat(asChat, native ? { extra: { tools } } : {}).tokens;
}

/**
 * Tool calls in generated text: JSON objects `{"name", "arguments"|"parameters"}`
 * naming an allowed tool. Returns the calls and the text with them (and Qwen's
 * `<tool_call>` tags) removed.
 */
export function parseToolCalls(
  text: string,
  tools: readonly Tool[],
  choice: ToolChoiceIn | undefined,
): { calls: ParsedToolCall[]; rest: string } {
  if (tools.length === 0 || choice === "none") return { calls: [], rest: text };
  const allowed = new Set(
    typeof choice === "object" ? [choice.function.name] : tools.map((t) => t.function.name),
  );
  const calls: ParsedToolCall[] = [];
  let rest = "";
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) break;
    const end = jsonObjectEnd(text, open);
    const call = end < 0 ? null : asCall(text.slice(open, end + 1), allowed);
    if (call) {
      const [h] = hash128(`${text}\u0000${calls.length}`);
      calls.push({
        id: `call_${(h >>> 0).toString(16).padStart(8, "0")}${calls.length}`,
        type: "function",
        function: call,
      });
      rest += text.slice(i, open);
      i = end + 1;
    } else {
      rest += text.slice(i, open + 1);
      i = open + 1;
    }
  }
  rest += text.slice(i);
  rest = rest.replace(/<\/?tool_call>/g, "").trim();
  return { calls, rest };
}

function asCall(json: string, allowed: Set<string>): { name: string; arguments: string } | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const name = o.name;
  if (typeof name !== "string" || !allowed.has(name)) return null;
  const args = o.arguments ?? o.parameters ?? {};
  if (typeof args === "string") return { name, arguments: args };
  if (typeof args !== "object" || args === null || Array.isArray(args)) return null;
  return { name, arguments: JSON.stringify(args) };
}
