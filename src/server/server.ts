/**
 * Starting and stopping a seige server: the Hono app on node's HTTP server,
 * WebSocket upgrades on `/ws` and `/mcp` routed to `ws` servers, the idle
 * reaper. `startServer` resolves once listening (port 0 picks a free port) and
 * `close()` ends every connection and session; tests, `seige smoke` and
 * `seige serve` all start servers this way.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { DEFAULT_LIMITS, SERVER_INFO } from "./config.js";
import type { ServerContext } from "./context.js";
import { createApp } from "./http/app.js";
import { SessionManager } from "./sessions.js";
import type { EnvFactory, ServerInfo, ServerLimits } from "./types.js";
import { serveEnvSocket, serveMcpSocket } from "./ws/sockets.js";

export interface ServeOptions {
  createEnv: EnvFactory;
  /** default 127.0.0.1; `seige serve` passes 0.0.0.0 */
  host?: string;
  /** default 0: a free port */
  port?: number;
  limits?: Partial<ServerLimits>;
  info?: Partial<ServerInfo>;
  log?: (line: string) => void;
  /** folder of the built web page served under /web (default the package's dist/web) */
  webRoot?: string;
}

export interface RunningServer {
  /** http://host:port (127.0.0.1 when bound to all interfaces) */
  url: string;
  port: number;
  sessions: SessionManager;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const sessions = new SessionManager(options.createEnv, limits);
  const ctx: ServerContext = {
    sessions,
    info: { ...SERVER_INFO, ...options.info },
    log: options.log ?? (() => {}),
    webRoot: options.webRoot,
  };
  const app = createApp(ctx);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;

  const wsOptions = {
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
  } as const;
  const envWss = new WebSocketServer(wsOptions);
  const mcpWss = new WebSocketServer(wsOptions);
  envWss.on("connection", (ws) => serveEnvSocket(ws, ctx));
  mcpWss.on("connection", (ws) => serveMcpSocket(ws, ctx));
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const wss = path === "/ws" ? envWss : path === "/mcp" ? mcpWss : null;
    if (!wss) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{"detail":"Not Found"}',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  sessions.startReaper();
  const port = (server.address() as AddressInfo).port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${port}`,
    port,
    sessions,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const wss of [envWss, mcpWss]) {
          for (const ws of wss.clients) ws.terminate();
          wss.close();
        }
        sessions.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
