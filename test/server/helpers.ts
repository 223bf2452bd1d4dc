// Test helpers: a real server on 127.0.0.1 with the sim target, and a raw
// WebSocket that sends text frames and reads replies in order, so tests see
// exactly what crosses the wire (the typed client is tested separately).
import { WebSocket } from "ws";
import { SeigeEnv } from "../../src/env/index.js";
import { type RunningServer, type ServerLimits, startServer } from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";

/** JSON read off the wire; the assertions that read it are the checks. */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON in tests is navigated freely and checked by assertions
export type Wire = any;

export async function startTestServer(
  limits: Partial<ServerLimits> = {},
  log?: (line: string) => void,
): Promise<RunningServer> {
  const target = await createTarget({ backend: "sim" });
  return startServer({ createEnv: () => new SeigeEnv(target), port: 0, limits, log });
}

export interface RawReply {
  status: number;
  type: string;
  body: unknown;
  text: string;
}

export async function http(
  base: string,
  method: string,
  path: string,
  body?: string,
  contentType = "application/json",
  headers: Record<string, string> = {},
): Promise<RawReply> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": contentType }), ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: parsed, text };
}

export class RawSocket {
  readonly frames: string[] = [];
  closeCode: number | null = null;
  private waiters: ((s: string | null) => void)[] = [];
  private closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const s = d.toString();
      const w = this.waiters.shift();
      if (w) w(s);
      else this.frames.push(s);
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code) => {
        this.closeCode = code;
        for (const w of this.waiters.splice(0)) w(null);
        resolve(code);
      }),
    );
    ws.on("error", () => {});
  }

  static open(base: string, path = "/ws"): Promise<RawSocket> {
    const ws = new WebSocket(base.replace("http://", "ws://") + path, { perMessageDeflate: false });
    const s = new RawSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(s));
      ws.once("error", reject);
    });
  }

  /** The next frame (null when the socket closed first), within 10 s. */
  next(timeoutMs = 10_000): Promise<string | null> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closeCode !== null) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no frame within timeout")), timeoutMs);
      this.waiters.push((s) => {
        clearTimeout(t);
        resolve(s);
      });
    });
  }

  async send(text: string): Promise<Wire> {
    this.ws.send(text);
    const reply = await this.next();
    return reply === null ? null : JSON.parse(reply);
  }

  sendJson(frame: unknown): Promise<Wire> {
    return this.send(JSON.stringify(frame));
  }

  waitClose(timeoutMs = 10_000): Promise<number> {
    return Promise.race([
      this.closed,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error("not closed")), timeoutMs),
      ),
    ]);
  }

  close(): void {
    this.ws.close();
  }
}

export const RED_ACTION = {
  agent_type: "red",
  strategy: "persona_manipulation",
  payload: "hello there",
} as const;
export const BLUE_MONITOR = { agent_type: "blue", action_type: "monitor" } as const;

/** The Authorization header that acts on an HTTP episode this owner token owns. */
export const owner = (token: string) => ({ authorization: `Bearer ${token}` });

/** `POST /step` on an HTTP episode, with the headers that carry its owner token. */
export const httpStep = (
  base: string,
  episodeId: string,
  auth: Record<string, string>,
  action: unknown,
): Promise<RawReply> =>
  http(base, "POST", "/step", JSON.stringify({ action, episode_id: episodeId }), undefined, auth);

/** The [type, loc] pairs of pydantic-style error entries, for comparison. */
export const typeLocs = (detail: unknown) =>
  (detail as { type: string; loc: unknown[] }[]).map((d) => [d.type, d.loc]);

/** The HTTP status of a WebSocket handshake to `url` with these headers (101 when it opens). */
export function wsHandshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url.replace(/^http/, "ws"), { headers, perMessageDeflate: false });
  return new Promise((resolve) => {
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", () => resolve(0));
  });
}
