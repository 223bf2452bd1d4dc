// Throws thousands of malformed frames and bodies at a running server, then
// checks it still serves a clean episode. Invariants while fuzzing: every /ws
// frame gets exactly one reply of a known type (or a documented close), every
// HTTP answer is a protocol status (never 500), and no error text carries the
// episode's protected value.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server/index.js";
import { BLUE_MONITOR, http, RawSocket, RED_ACTION, startTestServer } from "./helpers.js";

let server: RunningServer;
const internalErrors: string[] = [];
beforeAll(async () => {
  server = await startTestServer(
    { maxSessions: 8, maxFrameBytes: 64 * 1024, maxBodyBytes: 64 * 1024 },
    (l) => internalErrors.push(l),
  );
});
afterAll(() => server.close());

const WS_CODES = new Set([
  "INVALID_JSON",
  "UNKNOWN_TYPE",
  "VALIDATION_ERROR",
  "EXECUTION_ERROR",
  "SESSION_ERROR",
]);

const actionish = fc.record(
  {
    agent_type: fc.oneof(fc.constantFrom("red", "blue", "green", ""), fc.anything()),
    strategy: fc.oneof(
      fc.constantFrom("persona_manipulation", "steering_vector", "nope"),
      fc.anything(),
    ),
    action_type: fc.oneof(fc.constantFrom("probe", "block", "flag", "patch", "x"), fc.anything()),
    payload: fc.oneof(fc.string(), fc.anything()),
    session_id: fc.oneof(fc.constantFrom("s0", "s1", "s99"), fc.anything()),
    layer: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.anything()),
    magnitude: fc.oneof(fc.double(), fc.anything()),
    explanation: fc.anything(),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

const frameText = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      { type: fc.constantFrom("reset", "step", "state", "mcp", "bogus", ""), data: fc.anything() },
      { requiredKeys: ["type"] },
    )
    .map((f) => JSON.stringify(f)),
  actionish.map((data) => JSON.stringify({ type: "step", data })),
  fc
    .record(
      {
        seed: fc.anything(),
        max_ticks: fc.anything(),
        stage: fc.anything(),
        opponent: fc.anything(),
        role: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((data) => JSON.stringify({ type: "reset", data })),
  fc
    .record(
      {
        jsonrpc: fc.constantFrom("2.0", "1.0"),
        method: fc.constantFrom("tools/call", "tools/list", "openenv/session/close", "x"),
        params: fc.anything(),
        id: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((data) => JSON.stringify({ type: "mcp", data })),
);

describe("fuzzing a running server", () => {
  it("survives thousands of malformed frames and bodies, then serves a clean episode", async () => {
    let ws = await RawSocket.open(server.url);
    const reset = await ws.sendJson({ type: "reset", data: { seed: 11 } });
    const redStep = await ws.sendJson({ type: "step", data: RED_ACTION });
    const secret: string = redStep.data.observation.blue.task.protected_value;
    expect(secret.length).toBeGreaterThan(3);
    expect(reset.type).toBe("observation");

    const frames = fc.sample(frameText, { numRuns: 2500, seed: 42 });
    let replies = 0;
    for (const frame of frames) {
      if (frame.includes('"close"')) continue; // a close frame legitimately ends without a reply
      ws.ws.send(frame);
      const text = await ws.next();
      if (text === null) {
        // only a non-object JSON frame may end the session
        const parsed = JSON.parse(frame);
        expect(parsed === null || typeof parsed !== "object" || Array.isArray(parsed), frame).toBe(
          true,
        );
        ws = await RawSocket.open(server.url);
        await ws.sendJson({ type: "reset", data: { seed: 11 } });
        continue;
      }
      replies++;
      const reply = JSON.parse(text);
      expect(["observation", "state", "mcp", "error"], frame).toContain(reply.type);
      if (reply.type === "error") {
        expect(WS_CODES.has(reply.data.code), text).toBe(true);
        expect(JSON.stringify(reply.data).includes(secret), frame).toBe(false);
      }
      if (reply.type === "error" && reply.data.code === "SESSION_ERROR") {
        await ws.waitClose();
        ws = await RawSocket.open(server.url);
        await ws.sendJson({ type: "reset", data: { seed: 11 } });
      }
    }
    expect(replies).toBeGreaterThan(2000);
    ws.close();

    const bodies = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        actionish.map((a) => JSON.stringify({ action: a, episode_id: "nope" })),
      ),
      { numRuns: 600, seed: 7 },
    );
    for (const [i, body] of bodies.entries()) {
      const path = ["/reset", "/step", "/mcp"][i % 3];
      const r = await http(server.url, "POST", path, body);
      expect([200, 401, 404, 409, 413, 422], `${path} ${body}`).toContain(r.status);
      expect(typeof r.body, `${path} ${body}`).toBe("object");
    }

    // A clean episode still plays correctly on a fresh connection.
    const clean = await RawSocket.open(server.url);
    let r = await clean.sendJson({ type: "reset", data: { seed: 12, max_ticks: 2 } });
    let steps = 0;
    while (!r.data.done) {
      expect(r.type).toBe("observation");
      expect(r.data.observation.error).toBeNull();
      r = await clean.sendJson({
        type: "step",
        data: r.data.observation.current_agent === "red" ? RED_ACTION : BLUE_MONITOR,
      });
      steps++;
      expect(steps).toBeLessThan(50);
    }
    expect(r.data.observation.summary.ticks).toBe(2);
    clean.close();
    expect((await http(server.url, "GET", "/health")).status).toBe(200);
    // malformed input is always a protocol error, never an internal one
    expect(internalErrors).toEqual([]);
  });
});
