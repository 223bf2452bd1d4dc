/**
 * Starting and stopping a seige server: the Hono app on node's HTTP server,
 * WebSocket upgrades on `/ws` and `/mcp` routed to `ws` servers (after the
 * origin check of origin.ts), the idle reaper. Binds 127.0.0.1 unless told otherwise. `startServer` resolves once listening (port 0 picks a free port) and
 * `close()` ends every connection and session; tests, `seige smoke` and
 * `seige serve` all start servers this way.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createAdaptorServer } from "@hono/node-server";
import type { WebSocketServer } from "ws";
import { DEFAULT_LIMITS, SERVER_INFO } from "./config.js";
import type { ServerContext } from "./context.js";
import { type HostPolicy, hostAllowed, hostRefusal } from "./host.js";
import { createApp } from "./http/app.js";
import { originAllowed, originRefusal } from "./origin.js";
import { SessionManager } from "./sessions.js";
import type { EnvFactory, ServerInfo, ServerLimits } from "./types.js";
import { serveEnvSocket, serveMcpSocket } from "./ws/sockets.js";

export interface ServeOptions {
  createEnv: EnvFactory;
  /** default 127.0.0.1 (loopback only); containers pass 0.0.0.0 */
  host?: string;
  /** default 0: a free port */
  port?: number;
  limits?: Partial<ServerLimits>;
  info?: Partial<ServerInfo>;
  log?: (line: string) => void;
  /** folder of the built web page served under /web (default the package's dist/web) */
  webRoot?: string;
  /** folder of `seige train` runs served read-only under /runs (default none: /runs answers 404) */
  runsRoot?: string;
  /** browser origins allowed besides the server's own (default none; `seige serve` reads SEIGE_ALLOWED_ORIGINS) */
  allowedOrigins?: readonly string[];
  /** Host names answered besides loopback ones when bound to loopback (default none; `seige serve` reads SEIGE_ALLOWED_HOSTS; host.ts) */
  allowedHosts?: readonly string[];
}

export interface RunningServer {
  /** http://host:port (127.0.0.1 when bound to all interfaces) */
  url: string;
  port: number;
  sessions: SessionManager;
  close(): Promise<void>;
}

/** Answers a WebSocket handshake with an HTTP error in FastAPI's shape, then closes. */
function refuseUpgrade(socket: Duplex, status: number, reason: string, detail: string): void {
  const body = JSON.stringify({ detail });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const host = options.host ?? "127.0.0.1";
  // the port is filled in once listening (port 0 picks one); no request arrives before
  const hostPolicy: HostPolicy = { bound: host, port: 0, allowList: options.allowedHosts ?? [] };
  const sessions = new SessionManager(options.createEnv, limits);
  const ctx: ServerContext = {
    sessions,
    info: { ...SERVER_INFO, ...options.info },
    log: options.log ?? (() => {}),
    webRoot: options.webRoot,
    runsRoot: options.runsRoot,
    allowedOrigins: options.allowedOrigins ?? [],
    hostPolicy,
  };
  const app = createApp(ctx);
  let closing: Promise<void> | null = null;
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;

  // `ws` is imported at the first upgrade, not at start-up (issue 16): a server
  // used over HTTP only never loads it, and the first socket pays it once.
  let sockets: Promise<{ envWss: WebSocketServer; mcpWss: WebSocketServer }> | null = null;
  const loadSockets = () =>
    (sockets ??= import("ws").then(({ WebSocketServer }) => {
      const wsOptions = {
        noServer: true,
        maxPayload: limits.maxFrameBytes,
        perMessageDeflate: false,
      } as const;
      const envWss = new WebSocketServer(wsOptions);
      const mcpWss = new WebSocketServer(wsOptions);
      envWss.on("connection", (ws) => serveEnvSocket(ws, ctx));
      mcpWss.on("connection", (ws) => serveMcpSocket(ws, ctx));
      return { envWss, mcpWss };
    }));
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/ws" && path !== "/mcp") {
      refuseUpgrade(socket, 404, "Not Found", "Not Found");
      return;
    }
    const h = req.headers;
    if (!hostAllowed(h.host, hostPolicy)) {
      refuseUpgrade(socket, 403, "Forbidden", hostRefusal(h.host ?? ""));
      return;
    }
    const forwardedHost = h["x-forwarded-host"];
    const headers = {
      origin: h.origin,
      host: h.host,
      forwardedHost: Array.isArray(forwardedHost) ? forwardedHost.join(",") : forwardedHost,
    };
    if (!originAllowed(headers, ctx.allowedOrigins ?? [])) {
      refuseUpgrade(socket, 403, "Forbidden", originRefusal(h.origin ?? ""));
      return;
    }
    // Until `ws` takes the socket over, an error on it must not go unhandled.
    const early = () => socket.destroy();
    socket.on("error", early);
    void loadSockets()
      .then(({ envWss, mcpWss }) => {
        socket.off("error", early);
        if (socket.destroyed || closing) return void socket.destroy();
        const wss = path === "/ws" ? envWss : mcpWss;
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      })
      .catch((e) => {
        socket.destroy();
        ctx.log(`seige: WebSocket upgrade failed: ${e instanceof Error ? e.message : String(e)}`);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  sessions.startReaper();
  const port = (server.address() as AddressInfo).port;
  hostPolicy.port = port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;

  return {
    url: `http://${shown}:${port}`,
    port,
    sessions,
    close() {
      closing ??= (async () => {
        const open = sockets ? await sockets : null;
        for (const wss of open ? [open.envWss, open.mcpWss] : []) {
          for (const ws of wss.clients) ws.terminate();
          wss.close();
        }
        sessions.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
