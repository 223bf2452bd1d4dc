/**
 * A target request's messages (system prompt, session history, the new turn) →
 * the token ids the model is run on, through the checkpoint's own chat template
 * with the assistant header appended, so the model answers in its trained
 * format.
 *
 * Real templates disagree on roles: Gemma 2 refuses a `system` turn, Gemma
 * refuses anything that does not alternate user/assistant (so a `tool` turn),
 * Qwen and Llama 3 render `tool` natively. The messages are rendered as they are
 * first; only when the template raises are they normalised (system merged into
 * the first user turn, a tool output shown as a user turn that says so, runs of
 * one role joined), which is what those models' own docs recommend. A
 * checkpoint without a template gets plain `role: content` lines.
 *
 * A conversation longer than the context drops its oldest history turns (the
 * system prompt and the new turn always stay); if even that does not fit, it is
 * a `validation_error`, never a silent cut through the system prompt.
 */
import type { LensTokenizer } from "../../lens/tokenizer.js";
import { SeigeError } from "../../util/errors.js";
import type { ChatMessage } from "../types.js";

/** Renders messages with plain `role: content` lines (checkpoints without a chat template). */
function plainTokens(tok: LensTokenizer, messages: readonly ChatMessage[]): number[] {
  const text = `${messages.map((m) => `${m.role}: ${m.content}`).join("\n")}\nassistant:`;
  return tok.encode(text, { addSpecialTokens: true });
}

/** System merged into the first user turn, tool outputs as user turns, same-role runs joined. */
export function normaliseRoles(messages: readonly ChatMessage[]): ChatMessage[] {
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const role = m.role === "assistant" ? "assistant" : "user";
    const content = m.role === "tool" ? `Tool output:\n${m.content}` : m.content;
    const prev = out[out.length - 1];
    if (prev && prev.role === role) prev.content = `${prev.content}\n\n${content}`;
    else out.push({ role, content });
  }
  if (system) {
    if (out.length > 0 && out[0].role === "user")
      out[0] = { role: "user", content: `${system}\n\n${out[0].content}` };
    else out.unshift({ role: "user", content: system });
  }
  return out;
}

/** Token ids of `messages` rendered for generation (assistant header included). */
export function chatTokens(tok: LensTokenizer, messages: readonly ChatMessage[]): number[] {
  if (!tok.hasChatTemplate) return plainTokens(tok, messages);
  try {
    return tok.encodeChat(messages, { addGenerationPrompt: true });
  } catch (first) {
    try {
      return tok.encodeChat(normaliseRoles(messages), { addGenerationPrompt: true });
    } catch {
      throw new SeigeError(
        "config_error",
        `the checkpoint's chat template cannot render this conversation: ${(first as Error).message}`,
      );
    }
  }
}

/**
 * Token ids for a request, at most `maxTokens` long: the oldest history turns
 * (messages between the leading system prompt and the last message) are dropped,
 * one user/assistant pair at a time, until it fits.
 */
export function requestTokens(
  tok: LensTokenizer,
  messages: readonly ChatMessage[],
  maxTokens: number,
): number[] {
  if (messages.length === 0)
    throw new SeigeError("validation_error", "a target request needs at least one message");
  const head = messages[0].role === "system" ? [messages[0]] : [];
  const last = messages[messages.length - 1];
  let history = messages.slice(head.length, messages.length - 1);
  for (;;) {
    const ids = chatTokens(tok, [...head, ...history, last]);
    if (ids.length <= maxTokens) return ids;
    if (history.length === 0) {
      throw new SeigeError(
        "validation_error",
        `the system prompt and the new turn take ${ids.length} tokens, more than the ${maxTokens} the model's context leaves for them; shorten the payload`,
      );
    }
    history = history.slice(Math.min(2, history.length));
  }
}
