// Conformance with OpenEnv's /ws session protocol (PROTOCOL.md §2), over a real
// socket: every exchange kind of golden/ws_transcript_echo_nonmcp.txt sent to seige.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { BLUE_MONITOR, RawSocket, RED_ACTION, startTestServer, typeLocs } from "./helpers.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ maxSessions: 4 });
});
afterAll(() => server.close());

describe("/ws session", () => {
  it("answers state, reset, step and state in the protocol's frames", async () => {
    const ws = await RawSocket.open(server.url);
    const s0 = await ws.sendJson({ type: "state" });
    expect(s0.type).toBe("state");
    expect(s0.data).toMatchObject({ episode_id: null, step_count: 0 });

    const r = await ws.sendJson({
      type: "reset",
      data: { seed: 7, episode_id: "ep-ws-1", difficulty: "hard" },
    });
    expect(r.type).toBe("observation");
    expect(Object.keys(r.data).sort()).toEqual(["done", "observation", "reward"]);
    expect(r.data.observation).toMatchObject({ current_agent: "red", episode_id: "ep-ws-1" });

    const st = await ws.sendJson({ type: "step", data: RED_ACTION });
    expect(st.type).toBe("observation");
    expect(st.data.observation.current_agent).toBe("blue");
    const s1 = await ws.sendJson({ type: "state" });
    expect(s1.data).toMatchObject({ episode_id: "ep-ws-1", step_count: 1 });
    ws.close();
  });

  it("reports each error kind with its code and keeps the session", async () => {
    const ws = await RawSocket.open(server.url);
    await ws.sendJson({ type: "reset", data: { seed: 1 } });
    const cases: [string, string, [string, unknown[]][] | null][] = [
      [
        JSON.stringify({ type: "step", data: {} }),
        "VALIDATION_ERROR",
        [["missing", ["agent_type"]]],
      ],
      [
        JSON.stringify({ type: "step", data: { ...RED_ACTION, bogus: 1 } }),
        "VALIDATION_ERROR",
        [["extra_forbidden", ["bogus"]]],
      ],
      [JSON.stringify({ type: "step" }), "VALIDATION_ERROR", [["missing", ["data"]]]],
      [
        JSON.stringify({ type: "step", data: RED_ACTION, timeout_s: 3 }),
        "VALIDATION_ERROR",
        [["extra_forbidden", ["timeout_s"]]],
      ],
      [
        JSON.stringify({ type: "reset", data: null }),
        "VALIDATION_ERROR",
        [["dict_type", ["data"]]],
      ],
      [
        JSON.stringify({ type: "reset", data: { seed: -5 } }),
        "VALIDATION_ERROR",
        [["too_small", ["seed"]]],
      ],
      [
        JSON.stringify({ type: "state", extra: 1 }),
        "VALIDATION_ERROR",
        [["extra_forbidden", ["extra"]]],
      ],
      ["not json", "INVALID_JSON", null],
      [JSON.stringify({ type: "bogus" }), "UNKNOWN_TYPE", null],
      [JSON.stringify({ data: {} }), "UNKNOWN_TYPE", null],
    ];
    for (const [frame, code, errors] of cases) {
      const reply = await ws.send(frame);
      expect(reply.type, frame).toBe("error");
      expect(reply.data.code, frame).toBe(code);
      if (errors) {
        expect(reply.data.message).toBe("Invalid message");
        const got = typeLocs(reply.data.errors).map(([t, l]) => [
          t === "greater_than_equal" ? "too_small" : t,
          l,
        ]);
        expect(got, frame).toEqual(errors);
      }
    }
    expect((await ws.sendJson({ type: "bogus" })).data.message).toBe("Unknown message type: bogus");
    expect((await ws.send("{}")).data.message).toBe("Unknown message type: ");
    // the session is still usable, and the malformed steps never reached the episode
    const s = await ws.sendJson({ type: "state" });
    expect(s.data.step_count).toBe(0);
    expect((await ws.sendJson({ type: "step", data: RED_ACTION })).type).toBe("observation");
    ws.close();
  });

  it("with a built-in opponent the client only ever sees its own role", async () => {
    const ws = await RawSocket.open(server.url);
    let r = await ws.sendJson({
      type: "reset",
      data: { seed: 4, max_ticks: 2, role: "blue", opponent: "scripted:steer" },
    });
    const seen = new Set<string>();
    for (let i = 0; i < 30 && !r.data.done; i++) {
      seen.add(r.data.observation.current_agent);
      expect(r.data.observation.red).toBeUndefined();
      r = await ws.sendJson({ type: "step", data: BLUE_MONITOR });
    }
    expect(r.data.done).toBe(true);
    expect([...seen]).toEqual(["blue"]);
    const bad = await ws.sendJson({ type: "reset", data: { role: "blue" } });
    expect(bad.data.code).toBe("VALIDATION_ERROR");
    expect(bad.data.errors).toMatchObject([{ type: "value_error", loc: ["role"] }]);
    expect(bad.data.errors[0].msg).toMatch(/opponent/);
    ws.close();
  });

  it("a wrong-role action is an in-game invalid action, not a protocol error", async () => {
    const ws = await RawSocket.open(server.url);
    await ws.sendJson({ type: "reset", data: { seed: 2 } });
    const r = await ws.sendJson({ type: "step", data: BLUE_MONITOR });
    expect(r.type).toBe("observation");
    expect(r.data.observation.error).toEqual(expect.any(String));
    ws.close();
  });

  it("a step before reset and a step after done are EXECUTION_ERRORs saying to reset", async () => {
    const ws = await RawSocket.open(server.url);
    const before = await ws.sendJson({ type: "step", data: RED_ACTION });
    expect(before.data.code).toBe("EXECUTION_ERROR");
    expect(before.data.message).toMatch(/reset/);
    let r = await ws.sendJson({ type: "reset", data: { seed: 9, max_ticks: 1 } });
    for (let i = 0; i < 20 && !r.data.done; i++) {
      const action = r.data.observation.current_agent === "red" ? RED_ACTION : BLUE_MONITOR;
      r = await ws.sendJson({ type: "step", data: action });
    }
    expect(r.data.done).toBe(true);
    expect(r.data.observation.summary).toBeDefined();
    const after = await ws.sendJson({ type: "step", data: RED_ACTION });
    expect(after.data.code).toBe("EXECUTION_ERROR");
    expect(after.data.message).toMatch(/reset/);
    ws.close();
  });

  it("a frame that is JSON but not an object ends the session with SESSION_ERROR and 1000", async () => {
    const ws = await RawSocket.open(server.url);
    const reply = await ws.send("[1, 2]");
    expect(reply.data.code).toBe("SESSION_ERROR");
    expect(await ws.waitClose()).toBe(1000);
  });

  it("close ends the session with no reply and code 1000, freeing its slot", async () => {
    const ws = await RawSocket.open(server.url);
    await ws.sendJson({ type: "reset", data: {} });
    const before = server.sessions.active;
    ws.ws.send(JSON.stringify({ type: "close" }));
    expect(await ws.waitClose()).toBe(1000);
    expect(ws.frames).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.sessions.active).toBe(before - 1);
  });

  it("an mcp frame answers JSON-RPC on the connection's own environment", async () => {
    const ws = await RawSocket.open(server.url);
    const list = await ws.sendJson({
      type: "mcp",
      data: { jsonrpc: "2.0", method: "tools/list", id: 1 },
    });
    expect(list.type).toBe("mcp");
    expect(list.data.id).toBe(1);
    expect(list.data.result.tools.length).toBeGreaterThan(10);
    const created = await ws.sendJson({
      type: "mcp",
      data: { jsonrpc: "2.0", method: "openenv/session/create", id: 2 },
    });
    const closeOwn = await ws.sendJson({
      type: "mcp",
      data: {
        jsonrpc: "2.0",
        method: "openenv/session/close",
        params: { session_id: created.data.result.session_id },
        id: 3,
      },
    });
    expect(closeOwn.data.error.code).toBe(-32600);
    ws.close();
  });

  it("at capacity the next connection gets CAPACITY_REACHED then close 1000", async () => {
    const open: RawSocket[] = [];
    while (server.sessions.active < 4) open.push(await RawSocket.open(server.url));
    const extra = await RawSocket.open(server.url);
    const frame = JSON.parse((await extra.next())!);
    expect(frame).toMatchObject({
      type: "error",
      data: { code: "CAPACITY_REACHED", active_sessions: 4, max_sessions: 4 },
    });
    expect(await extra.waitClose()).toBe(1000);
    for (const s of open) s.close();
  });
});

describe("/ws limits", () => {
  it("closes a frame over the size limit with 1009 and keeps serving others", async () => {
    const small = await startTestServer({ maxFrameBytes: 1024 });
    try {
      const other = await RawSocket.open(small.url);
      const ws = await RawSocket.open(small.url);
      ws.ws.send(
        JSON.stringify({ type: "step", data: { ...RED_ACTION, payload: "x".repeat(4096) } }),
      );
      expect(await ws.waitClose()).toBe(1009);
      expect((await other.sendJson({ type: "reset", data: {} })).type).toBe("observation");
      other.close();
    } finally {
      await small.close();
    }
  });

  it("closes an idle session and frees its slot", async () => {
    const idle = await startTestServer({ idleTimeoutMs: 300 });
    try {
      const ws = await RawSocket.open(idle.url);
      await ws.sendJson({ type: "reset", data: {} });
      expect(idle.sessions.active).toBe(1);
      // the reaper runs every max(1 s, timeout/4)
      expect(await ws.waitClose(5000)).toBe(1001);
      expect(idle.sessions.active).toBe(0);
    } finally {
      await idle.close();
    }
  });

  it("an abrupt disconnect mid-step frees the session and others keep playing", async () => {
    const other = await RawSocket.open(server.url);
    await other.sendJson({ type: "reset", data: { seed: 3 } });
    const before = server.sessions.active;
    for (let i = 0; i < 5; i++) {
      const ws = await RawSocket.open(server.url);
      ws.ws.send(JSON.stringify({ type: "reset", data: { seed: i } }));
      ws.ws.send(JSON.stringify({ type: "step", data: RED_ACTION }));
      ws.ws.terminate(); // no close handshake, replies in flight
    }
    for (let i = 0; i < 50 && server.sessions.active > before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.sessions.active).toBe(before);
    expect(
      (await other.sendJson({ type: "step", data: RED_ACTION })).data.observation.current_agent,
    ).toBe("blue");
    other.close();
  });

  it("closes a client that sends too many frames ahead of its replies (1008)", async () => {
    const strict = await startTestServer({ maxQueuedFrames: 2 });
    try {
      const ws = await RawSocket.open(strict.url);
      const burst = Array.from({ length: 200 }, () =>
        JSON.stringify({ type: "reset", data: { seed: 1 } }),
      ).join("\u0000");
      for (const frame of burst.split("\u0000")) ws.ws.send(frame);
      expect(await ws.waitClose()).toBe(1008);
      expect(ws.frames.length).toBeLessThan(200);
      for (let i = 0; i < 50 && strict.sessions.active > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(strict.sessions.active).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it("a failing environment factory is FACTORY_ERROR then close 1000, and frees the slot", async () => {
    const broken = await startServer({
      port: 0,
      createEnv: () => {
        throw new Error("no model files");
      },
    });
    try {
      const ws = await RawSocket.open(broken.url);
      const frame = JSON.parse((await ws.next())!);
      expect(frame.data).toMatchObject({ code: "FACTORY_ERROR", factory_name: "SeigeEnv" });
      expect(frame.data.message).not.toMatch(/model files/);
      expect(await ws.waitClose()).toBe(1000);
      for (let i = 0; i < 50 && broken.sessions.active > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(broken.sessions.active).toBe(0);
    } finally {
      await broken.close();
    }
  });

  it("answers pings", async () => {
    const ws = await RawSocket.open(server.url);
    const pong = new Promise<string>((resolve) => ws.ws.once("pong", (d) => resolve(d.toString())));
    ws.ws.ping("are-you-there");
    expect(await pong).toBe("are-you-there");
    ws.close();
  });
});
