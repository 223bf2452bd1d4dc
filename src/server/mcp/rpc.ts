/**
 * OpenEnv's MCP handler (PROTOCOL.md §3): one JSON-RPC 2.0 request in, one
 * response out, shared by `POST /mcp`, WebSocket `/mcp` and `{"type":"mcp"}`
 * frames inside `/ws`. Not MCP Streamable HTTP: no `initialize`, no batches, no
 * notifications (they get -32601, as OpenEnv answers). Error codes and messages
 * follow OpenEnv's; a tool's game error (a step after done) is a -32603 error.
 */

import { isObject, type JsonObject } from "../envelope.js";
import { mapError, RPC } from "../error-map.js";
import { clip } from "../safe-json.js";
import type { Session } from "../session.js";
import type { SessionManager } from "../sessions.js";
import { describeDetails, RequestValidationError } from "../validation-errors.js";
import { findTool, toolList } from "./tools.js";

export type RpcId = string | number | null;
export type RpcResponse =
  | { jsonrpc: "2.0"; id: RpcId; result: unknown }
  | { jsonrpc: "2.0"; id: RpcId; error: { code: number; message: string; data: unknown } };

export interface RpcScope {
  sessions: SessionManager;
  /** the connection's own session (WebSocket /ws and /mcp); HTTP has none */
  own?: Session;
  /** where unexpected errors are logged */
  log: (line: string) => void;
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown = null,
  ) {
    super(message);
  }
}

export const rpcError = (
  id: RpcId,
  code: number,
  message: string,
  data: unknown = null,
): RpcResponse => ({
  jsonrpc: "2.0",
  id,
  error: { code, message, data },
});

const MAX_ID_CHARS = 255;

/** JsonRpcRequest's checks (`extra="forbid"`), with pydantic-like text. */
function invalidRequest(req: JsonObject): string | null {
  const problems: string[] = [];
  if (!("jsonrpc" in req)) problems.push("jsonrpc\n  Field required");
  else if (req.jsonrpc !== "2.0") problems.push("jsonrpc\n  Input should be '2.0'");
  if (!("method" in req)) problems.push("method\n  Field required");
  else if (typeof req.method !== "string")
    problems.push("method\n  Input should be a valid string");
  if ("params" in req && !isObject(req.params))
    problems.push("params\n  Input should be a valid dictionary");
  if ("id" in req && req.id !== null && typeof req.id !== "string" && !Number.isInteger(req.id)) {
    problems.push("id\n  Input should be a valid string or integer");
  } else if (typeof req.id === "string" && req.id.length > MAX_ID_CHARS) {
    // Every reply echoes the id: a bounded one keeps replies bounded.
    problems.push(`id\n  String should have at most ${MAX_ID_CHARS} characters`);
  }
  for (const k of Object.keys(req)) {
    if (!["jsonrpc", "method", "params", "id"].includes(k))
      problems.push(`${k}\n  Extra inputs are not permitted`);
  }
  if (!problems.length) return null;
  const n = problems.length;
  return `Invalid request: ${n} validation error${n > 1 ? "s" : ""} for JsonRpcRequest\n${problems.join("\n")}`;
}

export async function handleRpc(request: unknown, scope: RpcScope): Promise<RpcResponse> {
  if (!isObject(request)) return rpcError(null, RPC.PARSE_ERROR, "Parse error");
  const invalid = invalidRequest(request);
  if (invalid) return rpcError(null, RPC.INVALID_REQUEST, invalid);
  const id = (request.id ?? null) as RpcId;
  const params = (request.params ?? {}) as JsonObject;
  try {
    return { jsonrpc: "2.0", id, result: await dispatch(request.method as string, params, scope) };
  } catch (e) {
    if (e instanceof RpcError) return rpcError(id, e.code, e.message, e.data);
    const m = mapError(e);
    if (m.internal) scope.log(`mcp ${String(request.method)}: ${(e as Error)?.stack ?? e}`);
    return rpcError(id, m.rpc, m.message);
  }
}

async function dispatch(method: string, params: JsonObject, scope: RpcScope): Promise<unknown> {
  switch (method) {
    case "tools/list":
      if (params.session_id !== undefined) resolveSession(params.session_id, scope);
      return { tools: toolList() };
    case "tools/call":
      return callTool(params, scope);
    case "openenv/session/create":
      return createSession(scope);
    case "openenv/session/close":
      return closeSession(params, scope);
    default:
      throw new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${clip(method)}`);
  }
}

function resolveSession(sessionId: unknown, scope: RpcScope): Session | null {
  if (scope.own) return scope.own; // inside a WebSocket the connection's env answers (as OpenEnv does)
  if (sessionId === undefined || sessionId === null) return null;
  if (typeof sessionId !== "string" || !scope.sessions.has(sessionId)) {
    throw new RpcError(RPC.INVALID_PARAMS, `Unknown session_id: ${String(sessionId).slice(0, 80)}`);
  }
  return scope.sessions.get(sessionId, ["mcp"]);
}

async function callTool(params: JsonObject, scope: RpcScope): Promise<unknown> {
  const name = params.name;
  if (typeof name !== "string") throw new RpcError(RPC.INVALID_PARAMS, "Missing 'name' in params");
  const args = params.arguments ?? {};
  if (!isObject(args)) throw new RpcError(RPC.INVALID_PARAMS, "'arguments' must be an object");
  if (!findTool(name))
    throw new RpcError(RPC.INTERNAL_ERROR, `Unknown tool: '${name.slice(0, 80)}'`);
  const bound = resolveSession(params.session_id, scope);
  // Without a session a throwaway env answers, as OpenEnv's HTTP tools/* do.
  const session = bound ?? scope.sessions.scratch();
  try {
    // A connection's own session is already inside its serial queue (the frame's turn); waiting on it again would deadlock.
    const data =
      session === scope.own
        ? await session.callTool(name, args)
        : await session.run(() => session.callTool(name, args));
    return toolResult(data);
  } catch (e) {
    if (e instanceof RequestValidationError) {
      throw new RpcError(
        RPC.INTERNAL_ERROR,
        `Invalid arguments for tool '${clip(name)}': ${describeDetails(e.details)}`,
        { errors: e.details },
      );
    }
    throw e;
  } finally {
    if (!bound) session.close();
  }
}

/** A CallToolResult in both spellings OpenEnv clients read (PROTOCOL.md §3.3). */
export function toolResult(data: unknown) {
  return {
    content: [{ type: "text", text: JSON.stringify(data), annotations: null, meta: null }],
    structured_content: data,
    structuredContent: data,
    data,
    is_error: false,
    isError: false,
  };
}

async function createSession(scope: RpcScope): Promise<unknown> {
  if (scope.own) return { session_id: scope.own.id };
  const { sessions } = scope;
  const session = sessions.open("mcp");
  if (!session) {
    throw new RpcError(RPC.SERVER_ERROR, sessions.capacityMessage(), {
      active_sessions: sessions.active,
      max_sessions: sessions.limits.maxSessions,
    });
  }
  try {
    await session.ready;
  } catch (e) {
    sessions.close(session.id, "counted");
    scope.log(`mcp session factory failed: ${(e as Error)?.stack ?? e}`);
    throw new RpcError(
      RPC.SERVER_ERROR,
      "Environment factory 'SeigeEnv' failed to create instance.",
      { factory_name: "SeigeEnv" },
    );
  }
  return { session_id: session.id };
}

function closeSession(params: JsonObject, scope: RpcScope): unknown {
  const id = params.session_id;
  if (id === undefined || id === null)
    throw new RpcError(RPC.INVALID_PARAMS, "Invalid params - 'session_id' is required");
  if (scope.own && id === scope.own.id) {
    throw new RpcError(
      RPC.INVALID_REQUEST,
      "Cannot close active WebSocket-managed session via MCP method",
    );
  }
  let session: Session;
  try {
    session = scope.sessions.get(String(id), ["mcp"]);
  } catch {
    throw new RpcError(RPC.INVALID_PARAMS, `Unknown session_id: ${String(id).slice(0, 80)}`);
  }
  scope.sessions.close(session.id, "counted");
  return { session_id: session.id, closed: true };
}
