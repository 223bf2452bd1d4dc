/**
 * The OpenEnv-compatible server (ARCHITECTURE.md, src/server; protocol in
 * docs/server.md): HTTP routes, WebSocket `/ws` and `/mcp`, MCP tools generated
 * from the arena's zod schemas, the session manager with its limits.
 */
export {
  allowedHostsFromEnv,
  allowedOriginsFromEnv,
  DEFAULT_LIMITS,
  limitsFromEnv,
  SERVER_INFO,
} from "./config.js";
export type { ServerContext } from "./context.js";
export { mapError, RPC, WS_ERROR, type WsErrorCode } from "./error-map.js";
export { checksHost, type HostPolicy, hostAllowed } from "./host.js";
export {
  createApp,
  DEFAULT_WEB_ROOT,
  mountWeb,
  resolveAsset,
  wireSchemas,
} from "./http/index.js";
export { HttpEpisodePool } from "./http-episodes.js";
export { findTool, handleRpc, type RpcResponse, TOOLS, toolList } from "./mcp/index.js";
export { type OriginAllowList, originAllowed } from "./origin.js";
export { boundEcho, ECHO_LIMITS, encodeOr } from "./safe-json.js";
export { type RunningServer, type ServeOptions, startServer } from "./server.js";
export { Session, type SessionKind, type WireStepResult } from "./session.js";
export { SessionManager } from "./sessions.js";
export type { EnvFactory, ServerEnv, ServerInfo, ServerLimits } from "./types.js";
export { type ErrorDetail, RequestValidationError } from "./validation-errors.js";
export { handleEnvFrame } from "./ws/index.js";
