/**
 * A Red or Blue policy played by an LLM on any OpenAI-compatible endpoint (vLLM,
 * llama.cpp server, Ollama, OpenAI, `seige lens serve`). Each `act` is one chat
 * call: the role's prompt (prompt.ts), its legal actions as tools (or a JSON
 * listing with `tools=0`), a sampling seed derived from the episode seed and the
 * call's index, so the same seed and the same views give the same requests. The
 * reply is parsed (parse.ts); a malformed reply or an endpoint failure (after the
 * client's own timeouts and retries) is counted in `stats` and replaced by a safe
 * default action — Red: a plain text request; Blue: monitor — so an LLM never
 * crashes an episode. Requests to one endpoint share a concurrency limit.
 *
 * It keeps no conversation between steps (the view carries the history) and does
 * not decide which hosts may be called: the env's opponent allow-list does.
 */
import type { Action, BlueView, RedView, Role } from "../../arena/schema.js";
import { createLimiter, type Limiter } from "../../util/limit.js";
import { type ChatCompletionReply, chatCompletion } from "../../util/openai.js";
import { hash32 } from "../../util/rng.js";
import type { PolicyFor } from "../types.js";
import { MALFORMED_KINDS, type MalformedKind, parseReply } from "./parse.js";
import { buildMessages, legalTools, toolSpecs } from "./prompt.js";
import { type LlmOptions, parseLlmSpec } from "./spec.js";

export interface LlmStats {
  /** act() calls */
  calls: number;
  /** replies whose action came from a function call */
  tool_calls: number;
  /** replies whose action came from a JSON object in the text */
  json_replies: number;
  /** malformed replies, by kind (each one was replaced by the safe default) */
  malformed: Record<MalformedKind, number>;
  /** calls that failed at the endpoint after retries (also replaced by the default) */
  endpoint_errors: number;
  /** HTTP attempts beyond the first, over all calls */
  retries: number;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number;
  /** the latest problem, for a person reading the stats */
  last_problem: string | null;
}

export const emptyStats = (): LlmStats => ({
  calls: 0,
  tool_calls: 0,
  json_replies: 0,
  malformed: Object.fromEntries(MALFORMED_KINDS.map((k) => [k, 0])) as Record<
    MalformedKind,
    number
  >,
  endpoint_errors: 0,
  retries: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  latency_ms: 0,
  last_problem: null,
});

/** Total malformed replies plus endpoint failures: how often the default action stood in. */
export const fallbacks = (s: LlmStats): number =>
  Object.values(s.malformed).reduce((a, b) => a + b, 0) + s.endpoint_errors;

/** The call seam, so tests and callers can inject a client; default `chatCompletion`. */
export type ChatFn = typeof chatCompletion;

// One limiter per endpoint and limit, shared by every policy of this process.
const LIMITERS = new Map<string, Limiter>();
function limiterFor(o: LlmOptions): Limiter {
  const key = `${o.baseUrl}|${o.concurrency}`;
  let l = LIMITERS.get(key);
  if (!l) {
    l = createLimiter(o.concurrency);
    LIMITERS.set(key, l);
  }
  return l;
}

/** The safe default a malformed reply is replaced with. */
export function defaultAction(role: Role, view: RedView | BlueView): Action {
  if (role === "blue") return { agent_type: "blue", action_type: "monitor" };
  const session = (view as RedView).sessions[0]?.session_id;
  return {
    agent_type: "red",
    strategy: "persona_manipulation",
    payload: "Hello! Could you tell me what you can help me with today?",
    ...(session ? { session_id: session } : {}),
  };
}

export class LlmPolicy {
  readonly name: string;
  readonly stats: LlmStats = emptyStats();
  private seed = 0;
  private step = 0;
  private readonly limit: Limiter;

  constructor(
    readonly role: Role,
    readonly options: LlmOptions,
    private readonly chat: ChatFn = chatCompletion,
  ) {
    this.name = `llm:${options.model}`;
    this.limit = limiterFor(options);
  }

  reset(seed: number): void {
    this.seed = seed;
    this.step = 0;
  }

  /** The sampling seed of this episode's call number `step` (31 bits: some servers want an int32). */
  callSeed(step: number): number {
    return hash32(`llm/${this.seed}/${step}`) % 2 ** 31;
  }

  async act(view: RedView | BlueView): Promise<Action> {
    const o = this.options;
    const seed = this.callSeed(this.step++);
    this.stats.calls++;
    const tools = legalTools(this.role, view);
    let reply: ChatCompletionReply;
    try {
      reply = await this.limit(() =>
        this.chat({
          baseUrl: o.baseUrl,
          model: o.model,
          messages: buildMessages(this.role, view, tools, !o.tools),
          ...(o.tools ? { tools: toolSpecs(tools), toolChoice: "auto" as const } : {}),
          temperature: o.temperature,
          ...(o.topP !== undefined ? { topP: o.topP } : {}),
          seed,
          maxTokens: o.maxTokens,
          timeoutMs: o.timeoutMs,
          retries: o.retries,
          ...(o.apiKey ? { apiKey: o.apiKey } : {}),
        }),
      );
    } catch (e) {
      this.stats.endpoint_errors++;
      this.stats.last_problem = `endpoint: ${(e as Error).message}`;
      return defaultAction(this.role, view);
    }
    this.stats.retries += reply.attempts - 1;
    this.stats.latency_ms += reply.latencyMs;
    this.stats.prompt_tokens += reply.usage?.promptTokens ?? 0;
    this.stats.completion_tokens += reply.usage?.completionTokens ?? 0;
    const parsed = parseReply(this.role, tools, reply);
    if (!parsed.ok) {
      this.stats.malformed[parsed.kind]++;
      this.stats.last_problem = `${parsed.kind}: ${parsed.message}`;
      return defaultAction(this.role, view);
    }
    if (parsed.via === "tool_call") this.stats.tool_calls++;
    else this.stats.json_replies++;
    return parsed.action;
  }
}

/** An LLM policy for `role` from an `llm:<url>#<model>` spec. */
export function llmPolicy<R extends Role>(
  role: R,
  spec: string,
  overrides: Partial<LlmOptions> = {},
  chat: ChatFn = chatCompletion,
): PolicyFor<R> & LlmPolicy {
  // One class serves both roles; its act() returns the role's action kind by construction.
  return new LlmPolicy(role, parseLlmSpec(spec, overrides), chat) as unknown as PolicyFor<R> &
    LlmPolicy;
}
