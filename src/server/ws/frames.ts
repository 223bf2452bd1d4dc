/**
 * The `/ws` session protocol, one frame at a time (PROTOCOL.md §2): text in,
 * at most one reply out, plus whether to close. No socket here, so the whole
 * protocol is testable by calling `handleEnvFrame` directly.
 *
 * Frame errors keep the session (INVALID_JSON, UNKNOWN_TYPE, VALIDATION_ERROR,
 * EXECUTION_ERROR); a frame that is JSON but not an object ends it with
 * SESSION_ERROR, as OpenEnv does. `step` frames of OpenEnv's MCP actions
 * (`{"type":"list_tools"}`, `{"type":"call_tool",...}`, PROTOCOL.md §3.4) reach
 * the same tools as `/mcp`, so `MCPToolClient` works over `/ws` too.
 */
import type { ServerContext } from "../context.js";
import { isObject, type JsonObject, parseFrame, UnknownFrameType } from "../envelope.js";
import { mapError, WS_ERROR, type WsErrorCode } from "../error-map.js";
import { handleRpc, toolResult } from "../mcp/rpc.js";
import { findTool, toolList } from "../mcp/tools.js";
import { clip } from "../safe-json.js";
import type { Session } from "../session.js";
import { describeDetails, RequestValidationError } from "../validation-errors.js";

export interface FrameOutcome {
  reply: JsonObject | null;
  close: boolean;
}

export const errorFrame = (
  code: WsErrorCode,
  message: string,
  extra: JsonObject = {},
): JsonObject => ({
  type: "error",
  data: { message, code, ...extra },
});

const reply = (frame: JsonObject): FrameOutcome => ({ reply: frame, close: false });

export async function handleEnvFrame(
  text: string,
  session: Session,
  ctx: ServerContext,
): Promise<FrameOutcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return reply(
      errorFrame(WS_ERROR.INVALID_JSON, `Invalid JSON: ${clip((e as Error).message, 200)}`),
    );
  }
  if (!isObject(raw)) {
    const kind = Array.isArray(raw) ? "an array" : raw === null ? "null" : `a ${typeof raw}`;
    const message = `a frame must be a JSON object such as {"type":"reset","data":{}}, got ${kind}; closing the session`;
    return { reply: errorFrame(WS_ERROR.SESSION_ERROR, message), close: true };
  }
  try {
    const frame = parseFrame(raw);
    switch (frame.type) {
      case "close":
        return { reply: null, close: true };
      case "reset":
        return reply({ type: "observation", data: await session.reset(frame.data, []) });
      case "step":
        return reply({ type: "observation", data: await stepOrTool(frame.data, session) });
      case "state":
        return reply({ type: "state", data: session.state() });
      case "mcp":
        return reply({
          type: "mcp",
          data: await handleRpc(frame.data, { sessions: ctx.sessions, own: session, log: ctx.log }),
        });
    }
  } catch (e) {
    if (e instanceof UnknownFrameType) return reply(errorFrame(WS_ERROR.UNKNOWN_TYPE, e.message));
    if (e instanceof RequestValidationError) {
      return reply(errorFrame(WS_ERROR.VALIDATION_ERROR, "Invalid message", { errors: e.details }));
    }
    const m = mapError(e);
    if (m.internal) ctx.log(`ws session ${session.id}: ${(e as Error)?.stack ?? e}`);
    return reply(errorFrame(m.ws, m.message));
  }
}

/** A game action, or one of OpenEnv's MCP step actions (only when no agent_type is given). */
async function stepOrTool(data: JsonObject, session: Session): Promise<unknown> {
  if (data.agent_type !== undefined || (data.type !== "list_tools" && data.type !== "call_tool"))
    return session.step(data);
  if (data.type === "list_tools") {
    const tools = toolList().map((t) => ({
      name: t.name,
      description: t.description,
      input_schema: t.input_schema,
    }));
    return { observation: { tools }, reward: null, done: false };
  }
  const name = typeof data.tool_name === "string" ? data.tool_name : "";
  const args = isObject(data.arguments) ? data.arguments : {};
  const fail = (error_type: string, message: string) => ({
    observation: { tool_name: name, result: null, error: { error_type, message } },
    reward: null,
    done: false,
  });
  if (!findTool(name)) return fail("tool_not_found", `Unknown tool: '${name.slice(0, 80)}'`);
  try {
    const result = (await session.callTool(name, args)) as { reward?: number; done?: boolean };
    return {
      observation: { tool_name: name, result: toolResult(result), error: null },
      reward: typeof result?.reward === "number" ? result.reward : null,
      done: result?.done === true,
    };
  } catch (e) {
    if (e instanceof RequestValidationError)
      return fail("invalid_args", describeDetails(e.details));
    const m = mapError(e);
    return fail("execution_error", m.message);
  }
}
