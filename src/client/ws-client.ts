/**
 * A typed client for seige's `/ws` session (PROTOCOL.md §2): reset, step,
 * state, close, and MCP calls through `{"type":"mcp"}` frames. The protocol
 * pairs replies with requests only by order, so the client sends one request
 * at a time and, when a reply is late, closes the connection instead of
 * waiting on: a late reply would otherwise be read as the answer to the next
 * request. It runs in browsers (the global WebSocket) and in Node, where a
 * WebSocket constructor is injected (see node.ts); nothing here imports node.
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

/** The fields of open/message/close events the client reads (browser and `ws` events both have them). */
export interface SocketEvent {
  data?: unknown;
  code?: number;
  reason?: string;
}

/** The part of the WHATWG WebSocket the client uses; `ws`'s WebSocket has it too. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "message" | "close" | "error",
    listener: (event: SocketEvent) => void,
  ): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface ClientOptions {
  /** how long to wait for each reply before closing the connection (default 60 s, as OpenEnv's client) */
  timeoutMs?: number;
  /** how long to wait for the connection to open (default 10 s) */
  openTimeoutMs?: number;
  /** builds the socket; default the global WebSocket (browsers, Node ≥ 22) */
  webSocket?: WebSocketFactory;
}

/** OpenEnv's convert_to_ws_url: http→ws, https→wss, no scheme→ws, keep a path prefix, append the path. */
export function wsUrl(base: string, path = "/ws"): string {
  let url = base.trim().replace(/\/+$/, "");
  if (url.startsWith("https://")) url = `wss://${url.slice(8)}`;
  else if (url.startsWith("http://")) url = `ws://${url.slice(7)}`;
  else if (!/^wss?:\/\//.test(url)) url = `ws://${url}`;
  return url + path;
}

function defaultFactory(): WebSocketFactory {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!Ctor) {
    throw new SeigeClientError(
      "config",
      "no global WebSocket here (Node 20): use connectNode from src/client/node.js, or pass options.webSocket",
    );
  }
  return (url) => new Ctor(url);
}

const decoder = new TextDecoder();
const frameText = (data: unknown) =>
  typeof data === "string" ? data : decoder.decode(data as Uint8Array);

interface Waiter {
  resolve(frame: { type: string; data?: unknown }): void;
  reject(e: Error): void;
}

export class SeigeClient {
  private chain: Promise<unknown> = Promise.resolve();
  private waiter: Waiter | null = null;
  /** an error frame or close that arrived with no request waiting (e.g. CAPACITY_REACHED) */
  private failure: SeigeClientError | null = null;

  private constructor(
    private readonly ws: WebSocketLike,
    private readonly timeoutMs: number,
  ) {
    ws.addEventListener("message", (ev) => this.onFrame(frameText(ev.data)));
    ws.addEventListener("close", (ev) => {
      this.failure ??= new SeigeClientError(
        "closed",
        `connection closed (${ev?.code ?? "?"}${ev?.reason ? ` ${ev.reason}` : ""})`,
      );
      this.waiter?.reject(this.failure);
      this.waiter = null;
    });
    ws.addEventListener("error", () => {});
  }

  /** Opens `<baseUrl>/ws`. */
  static connect(baseUrl: string, options: ClientOptions = {}): Promise<SeigeClient> {
    const ws = (options.webSocket ?? defaultFactory())(wsUrl(baseUrl));
    const client = new SeigeClient(ws, options.timeoutMs ?? 60_000);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close();
        reject(
          new SeigeClientError(
            "timeout",
            `could not connect to ${wsUrl(baseUrl)} within ${options.openTimeoutMs ?? 10_000} ms`,
          ),
        );
      }, options.openTimeoutMs ?? 10_000);
      ws.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(client);
      });
      const fail = () => {
        clearTimeout(timer);
        reject(new SeigeClientError("closed", `could not connect to ${wsUrl(baseUrl)}`));
      };
      ws.addEventListener("error", fail);
      ws.addEventListener("close", fail);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === 1 && this.failure === null;
  }

  reset(options: ResetOptions = {}): Promise<StepReply> {
    return this.request({ type: "reset", data: options }, "observation") as Promise<StepReply>;
  }

  step(action: ClientAction): Promise<StepReply> {
    return this.request({ type: "step", data: action }, "observation") as Promise<StepReply>;
  }

  state(): Promise<StateReply> {
    return this.request({ type: "state" }, "state") as Promise<StateReply>;
  }

  /** One JSON-RPC call on this connection's environment; throws on a JSON-RPC error. */
  async rpc(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const frame = { type: "mcp", data: { jsonrpc: "2.0", method, params, id: 1 } };
    return unwrapRpcReply((await this.request(frame, "mcp")) as RpcReply);
  }

  async listTools(): Promise<ToolInfo[]> {
    return ((await this.rpc("tools/list")) as { tools: ToolInfo[] }).tools;
  }

  /** Calls a tool (a Red strategy, a Blue action type, or `observe`) and returns its data. */
  async callTool<T = unknown>(name: string, args: Record<string, unknown> = {}): Promise<T> {
    return ((await this.rpc("tools/call", { name, arguments: args })) as ToolCallResult<T>).data;
  }

  /** Sends `{"type":"close"}` (the server ends the session without a reply) and closes. */
  async close(): Promise<void> {
    await this.chain.catch(() => {});
    if (this.ws.readyState === 1) {
      try {
        this.ws.send(JSON.stringify({ type: "close" }));
      } catch {
        // already closing
      }
      this.ws.close(1000);
    }
    this.failure ??= new SeigeClientError("closed", "client closed");
  }

  private request(frame: Record<string, unknown>, expect: string): Promise<unknown> {
    const run = this.chain.then(() => this.exchange(frame, expect));
    this.chain = run.catch(() => {});
    return run;
  }

  private exchange(frame: Record<string, unknown>, expect: string): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ws.readyState !== 1)
      return Promise.reject(new SeigeClientError("closed", "connection is not open"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Closing, not waiting on: a late reply must never pair with the next request.
        this.failure = new SeigeClientError(
          "timeout",
          `no reply to '${String(frame.type)}' within ${this.timeoutMs} ms; connection closed`,
        );
        this.waiter = null;
        this.ws.close(4000, "client timeout");
        reject(this.failure);
      }, this.timeoutMs);
      this.waiter = {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.type === "error") {
            const d = (reply.data ?? {}) as { message?: string; code?: string };
            reject(
              new SeigeClientError(d.code ?? "error", d.message ?? "server error", reply.data),
            );
          } else if (reply.type !== expect) {
            reject(
              new SeigeClientError("protocol", `expected a '${expect}' reply, got '${reply.type}'`),
            );
          } else resolve(reply.data);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.ws.send(JSON.stringify(frame));
    });
  }

  private onFrame(text: string): void {
    let frame: { type: string; data?: unknown };
    try {
      frame = JSON.parse(text);
    } catch {
      frame = {
        type: "error",
        data: { code: "protocol", message: "server sent a frame that is not JSON" },
      };
    }
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter.resolve(frame);
    else if (frame.type === "error") {
      const d = (frame.data ?? {}) as { message?: string; code?: string };
      this.failure = new SeigeClientError(
        d.code ?? "error",
        d.message ?? "server error",
        frame.data,
      );
    }
  }
}
