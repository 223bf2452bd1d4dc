/**
 * The HTTP fallback: OpenEnv's HTTP routes plus seige's episode extension
 * (`episode_id` from `/reset`'s observation continues the episode in `/step`
 * and `/state`, with the reply's `owner_token` sent as `Authorization: Bearer`;
 * docs/server.md). For places a WebSocket cannot go; trainers should use /ws.
 * Uses the global `fetch` (browsers, Node ≥ 18); each call has a timeout.
 */
import { type RpcReply, SeigeClientError, unwrapRpcReply } from "./errors.js";
import type {
  ClientAction,
  ResetOptions,
  StateReply,
  StepReply,
  ToolCallResult,
  ToolInfo,
} from "./protocol.js";

export interface HttpClientOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class SeigeHttpClient {
  /** the episode this client continues; set by reset */
  episodeId: string | null = null;
  /** the owner token of this client's HTTP episodes; set by reset, sent on every call */
  ownerToken: string | null = null;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private rpcId = 0;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  health(): Promise<{ status: string }> {
    return this.call("GET", "/health") as Promise<{ status: string }>;
  }

  metadata(): Promise<Record<string, unknown>> {
    return this.call("GET", "/metadata") as Promise<Record<string, unknown>>;
  }

  schema(): Promise<{ action: object; observation: object; state: object; reset?: object }> {
    return this.call("GET", "/schema") as Promise<{
      action: object;
      observation: object;
      state: object;
    }>;
  }

  async reset(options: ResetOptions = {}): Promise<StepReply> {
    const reply = (await this.call("POST", "/reset", options)) as StepReply & {
      owner_token?: string;
    };
    this.episodeId = reply.observation.episode_id;
    this.ownerToken = reply.owner_token ?? null;
    return reply;
  }

  step(action: ClientAction): Promise<StepReply> {
    if (!this.episodeId)
      return Promise.reject(new SeigeClientError("no_episode", "call reset first"));
    return this.call("POST", "/step", { action, episode_id: this.episodeId }) as Promise<StepReply>;
  }

  state(): Promise<StateReply> {
    const q = this.episodeId ? `?episode_id=${encodeURIComponent(this.episodeId)}` : "";
    return this.call("GET", `/state${q}`) as Promise<StateReply>;
  }

  async rpc(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const body = { jsonrpc: "2.0", method, params, id: ++this.rpcId };
    return unwrapRpcReply((await this.call("POST", "/mcp", body)) as RpcReply);
  }

  async listTools(): Promise<ToolInfo[]> {
    return ((await this.rpc("tools/list")) as { tools: ToolInfo[] }).tools;
  }

  async callTool<T = unknown>(
    name: string,
    args: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const params = { name, arguments: args, ...(sessionId ? { session_id: sessionId } : {}) };
    return ((await this.rpc("tools/call", params)) as ToolCallResult<T>).data;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers["content-type"] = "application/json";
      if (this.ownerToken) headers.authorization = `Bearer ${this.ownerToken}`;
      res = await this.fetchFn(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const timeout = (e as Error)?.name === "TimeoutError";
      throw new SeigeClientError(
        timeout ? "timeout" : "network",
        `${method} ${path}: ${(e as Error)?.message ?? e}`,
      );
    }
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // a non-JSON body (500 "Internal Server Error"); reported below
    }
    if (!res.ok) {
      const detail = (json as { detail?: unknown })?.detail ?? text;
      const message = typeof detail === "string" ? detail : JSON.stringify(detail);
      throw new SeigeClientError(
        `http:${res.status}`,
        `${method} ${path} → ${res.status}: ${message}`,
        detail,
      );
    }
    return json;
  }
}
