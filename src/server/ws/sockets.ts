/**
 * The two WebSocket endpoints over `ws` sockets: `/ws` (the OpenEnv session
 * protocol, frames.ts) and `/mcp` (one JSON-RPC request per frame). Each
 * connection is one session from the manager: over capacity the server accepts,
 * sends one CAPACITY_REACHED frame and closes with 1000 (PROTOCOL.md §1.9).
 * Frames are handled strictly in order with one reply each; a client that
 * sends more than `maxQueuedFrames` ahead of its replies is closed (1008), and
 * an idle one is closed by the reaper (1001). `ws` answers pings itself and
 * closes oversized frames with 1009 (its maxPayload).
 */
import type { RawData, WebSocket } from "ws";
import type { ServerContext } from "../context.js";
import { RPC, WS_ERROR } from "../error-map.js";
import { handleRpc, rpcError } from "../mcp/rpc.js";
import { clip, encodeOr } from "../safe-json.js";
import type { Session } from "../session.js";
import { errorFrame, type FrameOutcome, handleEnvFrame } from "./frames.js";

const OPEN = 1;

function text(data: RawData): string {
  // `ws` hands over a Buffer (binaryType "nodebuffer"): decode it in place, without a copy.
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/** What a socket sends if a reply cannot be encoded: fixed text, so it cannot fail too. */
const ENV_FALLBACK = JSON.stringify(
  errorFrame(WS_ERROR.EXECUTION_ERROR, "the reply could not be encoded; the session is still open"),
);
const MCP_FALLBACK = JSON.stringify(
  rpcError(null, RPC.INTERNAL_ERROR, "the reply could not be encoded; the session is still open"),
);

type Send = (frame: unknown) => void;

/** A sender for one socket that never throws: encoding failures send `fallback` and are logged. */
function sender(ws: WebSocket, fallback: string, ctx: ServerContext): Send {
  return (frame) => {
    if (ws.readyState !== OPEN) return;
    const text = encodeOr(frame, fallback, (e) =>
      ctx.log(`ws reply not encodable: ${(e as Error)?.message ?? e}`),
    );
    try {
      ws.send(text);
    } catch (e) {
      ctx.log(`ws send failed: ${(e as Error)?.message ?? e}`);
    }
  };
}

type Handler = (text: string, session: Session) => Promise<FrameOutcome>;

function serve(ws: WebSocket, ctx: ServerContext, handle: Handler, fallback: string): void {
  const { sessions } = ctx;
  const send = sender(ws, fallback, ctx);
  ws.on("error", () => {}); // a broken peer: 'close' follows and frees the session
  const session = sessions.open("ws", () => ws.close(1001, "idle timeout"));
  if (!session) {
    send(
      errorFrame(WS_ERROR.CAPACITY_REACHED, sessions.capacityMessage(), {
        active_sessions: sessions.active,
        max_sessions: sessions.limits.maxSessions,
      }),
    );
    ws.close(1000);
    return;
  }
  session.ready.catch((e) => {
    ctx.log(`ws session factory failed: ${(e as Error)?.stack ?? e}`);
    send(
      errorFrame(
        WS_ERROR.FACTORY_ERROR,
        "Environment factory 'SeigeEnv' failed to create instance.",
        { factory_name: "SeigeEnv" },
      ),
    );
    ws.close(1000);
  });
  ws.on("close", () => sessions.close(session.id, "counted"));
  ws.on("message", (data) => {
    sessions.touch(session);
    if (session.depth >= sessions.limits.maxQueuedFrames) {
      ws.close(1008, "too many requests ahead of their replies");
      return;
    }
    const frame = text(data);
    session
      .run(() => handle(frame, session))
      .then(
        (out) => {
          sessions.touch(session);
          if (out.reply) send(out.reply);
          if (out.close) ws.close(1000);
        },
        () => {}, // the session closed or its factory failed; the peer was told, or is gone
      )
      // Nothing above should throw; if it does, log it rather than let an unhandled rejection end the process.
      .catch((e) => ctx.log(`ws frame: ${(e as Error)?.stack ?? e}`));
  });
}

export function serveEnvSocket(ws: WebSocket, ctx: ServerContext): void {
  serve(ws, ctx, (text, session) => handleEnvFrame(text, session, ctx), ENV_FALLBACK);
}

export function serveMcpSocket(ws: WebSocket, ctx: ServerContext): void {
  serve(
    ws,
    ctx,
    async (text, session) => {
      let request: unknown;
      try {
        request = JSON.parse(text);
      } catch (e) {
        return {
          reply: rpcError(null, RPC.PARSE_ERROR, `Parse error: ${clip((e as Error).message, 200)}`),
          close: false,
        };
      }
      return {
        reply: await handleRpc(request, { sessions: ctx.sessions, own: session, log: ctx.log }),
        close: false,
      };
    },
    MCP_FALLBACK,
  );
}
