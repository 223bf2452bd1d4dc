/**
 * `OpenAITarget`: the black-box `TargetSystem` (GAME.md §1 principle 5, the
 * black-box configuration of §7): the target model is any OpenAI-compatible chat
 * endpoint (vLLM, llama.cpp server, Ollama, OpenAI, `seige lens serve`). Each
 * request is one chat completion carrying its own seed, sent concurrently up to
 * a limit; the endpoint's sampling settles what "same seed ⇒ same output" means
 * (seige lens serve and vLLM honour it; hosted APIs only try).
 *
 * There are no activations: `info.whiteBox` is false, so the arena offers no
 * activation strategies, probes or patches; should an intervention, a probe or
 * a suffix search reach this backend anyway, it fails with `backend_unavailable`
 * rather than being turned into prompt text. It ignores `request.guarded`, as a
 * language model finds the secret by reading its prompt. Token counts for
 * budgets use the sim's word-piece approximation; the model's own tokenizer is
 * not available through the API.
 */

import { SeigeError } from "../../util/errors.js";
import { createLimiter, type Limiter } from "../../util/limit.js";
import { chatCompletion, type ChatMessage as WireMessage } from "../../util/openai.js";
import type { ProbeSummary } from "../../vocab.js";
import { countTokens } from "../sim/tokens.js";
import type {
  ChatMessage,
  SuffixSearchOptions,
  TargetInfo,
  TargetOutput,
  TargetRequest,
  TargetSystem,
} from "../types.js";

export interface OpenAITargetOptions {
  /** `http(s)://host:port` or `.../v1` */
  baseUrl: string;
  /** the endpoint's model name */
  model: string;
  apiKey?: string;
  /** new tokens per request when the request does not say (default 48, as the lens target) */
  maxNewTokens?: number;
  /** sampling (default temperature 0.7, top-p 0.9, as the lens target) */
  temperature?: number;
  topP?: number;
  /** requests in flight at once (default 8) */
  concurrency?: number;
  /** per attempt (default 60 s) */
  timeoutMs?: number;
  /** extra attempts on 429/5xx/network errors (default 2) */
  retries?: number;
  /** injected for tests; default the global fetch */
  fetchImpl?: typeof fetch;
}

const NO_ACTIVATIONS =
  "the black-box target (SEIGE_TARGET_BACKEND=openai) has no activations: probes, patches, steering, activation attacks and suffix searches need a white-box backend (lens or sim)";

export class OpenAITarget implements TargetSystem {
  readonly info: TargetInfo;
  private readonly limit: Limiter;

  constructor(private readonly opts: OpenAITargetOptions) {
    if (!opts.baseUrl || !opts.model)
      throw new SeigeError("config_error", "the openai target needs a base URL and a model name");
    this.limit = createLimiter(opts.concurrency ?? 8);
    this.info = {
      backend: "openai",
      modelId: opts.model,
      // Unknown through the API; 0 makes every layer index out of range, and the
      // arena offers no layer-taking action on a black-box target anyway.
      nLayers: 0,
      nHeads: 0,
      dModel: 0,
      whiteBox: false,
      directionLabels: [],
    };
  }

  async generate(requests: TargetRequest[]): Promise<TargetOutput[]> {
    for (const r of requests) {
      if (r.interventions.length > 0)
        throw new SeigeError("backend_unavailable", `request ${r.id}: ${NO_ACTIVATIONS}`);
    }
    return Promise.all(requests.map((r) => this.limit(() => this.one(r))));
  }

  private async one(r: TargetRequest): Promise<TargetOutput> {
    let messages = toWire(r.messages);
    for (;;) {
      try {
        const reply = await chatCompletion({
          baseUrl: this.opts.baseUrl,
          model: this.opts.model,
          apiKey: this.opts.apiKey,
          messages,
          seed: r.seed,
          maxTokens: r.maxNewTokens ?? this.opts.maxNewTokens ?? 48,
          temperature: this.opts.temperature ?? 0.7,
          topP: this.opts.topP ?? 0.9,
          timeoutMs: this.opts.timeoutMs,
          retries: this.opts.retries,
          fetchImpl: this.opts.fetchImpl,
        });
        // A reply with only tool calls (we offer no tools, but a server may) is no text.
        const text = reply.content ?? "";
        return { id: r.id, text, tokens: reply.usage?.completionTokens ?? countTokens(text) };
      } catch (e) {
        // Too long for the endpoint's context: drop the oldest history turn and
        // ask again; the system prompt and the new turn always stay.
        const shorter = isContextError(e) ? dropOldestTurn(messages) : null;
        if (!shorter) throw e;
        messages = shorter;
      }
    }
  }

  async probe(_request: TargetRequest, _layer: number): Promise<ProbeSummary> {
    throw new SeigeError("backend_unavailable", NO_ACTIVATIONS);
  }

  async adversarialSuffix(_request: TargetRequest, _options: SuffixSearchOptions): Promise<string> {
    throw new SeigeError("backend_unavailable", NO_ACTIVATIONS);
  }

  countTokens(text: string): number {
    return countTokens(text);
  }
}

/** OpenAI requires a tool message to answer a tool call; the target's history has none, so a tool output is shown as a user turn that says so. */
function toWire(messages: readonly ChatMessage[]): WireMessage[] {
  return messages.map((m) =>
    m.role === "tool"
      ? { role: "user", content: `Tool output:\n${m.content}` }
      : { role: m.role, content: m.content },
  );
}

function isContextError(e: unknown): boolean {
  return (
    e instanceof SeigeError &&
    e.code === "validation_error" &&
    /context|too long|maximum.*tokens/i.test(e.message)
  );
}

/** The messages without the oldest turn after the leading system prompt; null when only those two are left. */
function dropOldestTurn(messages: WireMessage[]): WireMessage[] | null {
  const first = messages[0]?.role === "system" ? 1 : 0;
  if (messages.length - first <= 1) return null;
  return [...messages.slice(0, first), ...messages.slice(first + 1)];
}
