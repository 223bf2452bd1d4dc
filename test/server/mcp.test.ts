// MCP over POST /mcp, WebSocket /mcp and OpenEnv's MCP step actions (PROTOCOL.md §3),
// against the exchanges of golden/http_transcript_*.txt and wsmcp_transcript_mcp_echo_env.txt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BLUE_ACTIONS, RED_STRATEGIES } from "../../src/arena/schema.js";
import type { RunningServer } from "../../src/server/index.js";
import { http, RawSocket, startTestServer, type Wire } from "./helpers.js";

let server: RunningServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer({ maxSessions: 3 });
  base = server.url;
});
afterAll(() => server.close());

const rpc = async (body: unknown) => {
  const r = await http(
    base,
    "POST",
    "/mcp",
    typeof body === "string" ? body : JSON.stringify(body),
  );
  expect(r.status).toBe(200);
  return r.body as Wire;
};

describe("POST /mcp envelope", () => {
  it.each([
    ["{}", null, -32600],
    ["garbage", null, -32700],
    ["", null, -32700],
    ["[]", null, -32700],
    [{ jsonrpc: "2.0", method: "initialize", params: {}, id: 1 }, 1, -32601],
    [{ jsonrpc: "2.0", method: "notifications/initialized" }, null, -32601],
    [{ jsonrpc: "1.0", method: "tools/list", id: 7 }, null, -32600],
    [{ jsonrpc: "2.0", method: "tools/list", params: [], id: 8 }, null, -32600],
    [{ jsonrpc: "2.0", method: "openenv/session/close", params: {}, id: 4 }, 4, -32602],
    [
      { jsonrpc: "2.0", method: "openenv/session/close", params: { session_id: "nope" }, id: 5 },
      5,
      -32602,
    ],
    [{ jsonrpc: "2.0", method: "tools/call", params: { arguments: {} }, id: 5 }, 5, -32602],
    [
      { jsonrpc: "2.0", method: "tools/call", params: { name: "nope", arguments: {} }, id: 4 },
      4,
      -32603,
    ],
  ])("%j answers HTTP 200 with JSON-RPC error %s/%s", async (body, id, code) => {
    const r = await rpc(body);
    expect(r).toMatchObject({ jsonrpc: "2.0", id, error: { code, data: null } });
    expect(Object.keys(r.error).sort()).toEqual(["code", "data", "message"]);
  });

  it("answers what OpenEnv answers for validate's {} and unknown methods", async () => {
    expect((await rpc("{}")).error.message).toMatch(
      /^Invalid request: 2 validation errors for JsonRpcRequest/,
    );
    expect((await rpc({ jsonrpc: "2.0", method: "initialize", id: 1 })).error.message).toBe(
      "Method not found: initialize",
    );
    expect(
      (await rpc({ jsonrpc: "2.0", method: "tools/call", params: { name: "nope" }, id: 1 })).error
        .message,
    ).toBe("Unknown tool: 'nope'");
  });
});

describe("tools", () => {
  it("lists GAME.md §8's tools with descriptions and zod-generated schemas in both spellings", async () => {
    const { result } = await rpc({ jsonrpc: "2.0", method: "tools/list", id: 1 });
    const names = result.tools.map((t: Wire) => t.name);
    expect(names.sort()).toEqual([...RED_STRATEGIES, ...BLUE_ACTIONS, "observe"].sort());
    for (const t of result.tools) {
      expect(t.description.length).toBeGreaterThan(10);
      expect(t.inputSchema).toEqual(t.input_schema);
      expect(t.inputSchema.type).toBe("object");
      expect(t.inputSchema.additionalProperties).toBe(false);
    }
    const red = result.tools.find((t: Wire) => t.name === "steering_vector");
    expect(red.inputSchema.required).toEqual(["payload"]);
    expect(red.inputSchema.properties.magnitude.description).toMatch(/steering strength/);
    expect(red.inputSchema.properties).not.toHaveProperty("agent_type");
    const block = result.tools.find((t: Wire) => t.name === "block");
    expect(block.inputSchema.properties).toHaveProperty("explanation");
    expect(block.inputSchema.properties).not.toHaveProperty("action_type");
  });

  it("plays through an MCP session: create, call tools, close", async () => {
    const created = await rpc({ jsonrpc: "2.0", method: "openenv/session/create", id: 1 });
    const sid = created.result.session_id;
    expect(typeof sid).toBe("string");
    const observe = await rpc({
      jsonrpc: "2.0",
      method: "tools/call",
      params: { name: "observe", arguments: {}, session_id: sid },
      id: 2,
    });
    expect(observe.result.data).toHaveProperty("task");
    expect(observe.result.is_error).toBe(false);
    expect(JSON.parse(observe.result.content[0].text)).toEqual(observe.result.data);

    const red = await rpc({
      jsonrpc: "2.0",
      method: "tools/call",
      params: { name: "persona_manipulation", arguments: { payload: "hello" }, session_id: sid },
      id: 3,
    });
    expect(red.result.data.observation.current_agent).toBe("blue");
    expect(red.result.structured_content).toEqual(red.result.data);
    const blue = await rpc({
      jsonrpc: "2.0",
      method: "tools/call",
      params: { name: "monitor", session_id: sid },
      id: 4,
    });
    expect(blue.result.data.observation.current_agent).toBe("red");

    const bad = await rpc({
      jsonrpc: "2.0",
      method: "tools/call",
      params: { name: "persona_manipulation", arguments: { payload: 3 }, session_id: sid },
      id: 5,
    });
    expect(bad.error.code).toBe(-32603);
    expect(bad.error.data.errors[0]).toMatchObject({ type: "string_type", loc: ["payload"] });

    const closed = await rpc({
      jsonrpc: "2.0",
      method: "openenv/session/close",
      params: { session_id: sid },
      id: 6,
    });
    expect(closed.result).toEqual({ session_id: sid, closed: true });
    const again = await rpc({
      jsonrpc: "2.0",
      method: "openenv/session/close",
      params: { session_id: sid },
      id: 7,
    });
    expect(again.error).toMatchObject({ code: -32602, message: `Unknown session_id: ${sid}` });
  });

  it("session/create at capacity is -32000 with the counts", async () => {
    const ids: string[] = [];
    for (;;) {
      const r = await rpc({ jsonrpc: "2.0", method: "openenv/session/create", id: 1 });
      if (r.error) {
        expect(r.error).toMatchObject({
          code: -32000,
          data: { active_sessions: 3, max_sessions: 3 },
        });
        break;
      }
      ids.push(r.result.session_id);
      expect(ids.length).toBeLessThanOrEqual(3);
    }
    for (const session_id of ids)
      await rpc({ jsonrpc: "2.0", method: "openenv/session/close", params: { session_id }, id: 2 });
    expect(server.sessions.active).toBe(0);
  });
});

describe("WebSocket /mcp", () => {
  it("answers one JSON-RPC response per frame, parse errors included", async () => {
    const ws = await RawSocket.open(base, "/mcp");
    const ok = await ws.sendJson({
      jsonrpc: "2.0",
      method: "tools/call",
      params: { name: "observe", arguments: {} },
      id: 1,
    });
    expect(ok.result.data).toHaveProperty("task");
    const parse = await ws.send("garbage");
    expect(parse).toMatchObject({ id: null, error: { code: -32700 } });
    expect(parse.error.message).toMatch(/^Parse error: /);
    expect((await ws.sendJson({ method: "x" })).error.code).toBe(-32600);
    expect(
      (await ws.sendJson({ jsonrpc: "2.0", method: "initialize", id: 2 })).error,
    ).toMatchObject({ code: -32601 });
    ws.close();
  });
});

describe("OpenEnv MCP step actions over /ws", () => {
  it("list_tools and call_tool in step frames reach the same tools", async () => {
    const ws = await RawSocket.open(base);
    const list = await ws.sendJson({ type: "step", data: { type: "list_tools" } });
    expect(list.data.observation.tools[0]).toHaveProperty("input_schema");
    const call = await ws.sendJson({
      type: "step",
      data: { type: "call_tool", tool_name: "persona_manipulation", arguments: { payload: "hi" } },
    });
    expect(call.data.observation).toMatchObject({ tool_name: "persona_manipulation", error: null });
    expect(call.data.observation.result.data.observation.current_agent).toBe("blue");
    const nope = await ws.sendJson({
      type: "step",
      data: { type: "call_tool", tool_name: "nope", arguments: {} },
    });
    expect(nope.data.observation.error).toMatchObject({ error_type: "tool_not_found" });
    ws.close();
  });
});
