// Throws a few thousand hostile frames and bodies at a live `seige serve` (a
// child process, so "the server never exits" is checked literally) while a
// good client plays beside them (issue 11, "What must hold"). Generated input
// comes from fast-check arbitraries, plus the cases that once killed the
// process or answered 500: JSON nested thousands deep in every slot that is
// echoed, strings near the frame limit, binary frames, keys that exist on
// Object.prototype, and steps after done. Invariants:
// - the process never exits and logs no internal error;
// - no HTTP answer is 5xx, and /mcp answers 200 (or 413/415 before it reads);
// - every /ws error frame, JSON-RPC error and HTTP error is in the protocol's
//   shape, small (echoes are bounded) and free of the episode's secret;
// - the good client's frames are byte-identical to a solo run of its episode.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, startCli } from "../helpers/cli-process.js";
import {
  BLUE_MONITOR,
  http,
  httpStep,
  owner,
  type RawReply,
  RawSocket,
  RED_ACTION,
  type Wire,
} from "./helpers.js";

let server: CliProcess;
let log = "";
beforeAll(async () => {
  server = await startCli(["serve", "--port", "0"], /serving on (http:\/\/[\d.]+:\d+)/);
  server.child.stderr.on("data", (d) => {
    log += d;
  });
}, 40_000);
afterAll(async () => {
  if (server.child.exitCode === null) await server.stop();
});

const WS_CODES = new Set([
  "INVALID_JSON",
  "UNKNOWN_TYPE",
  "VALIDATION_ERROR",
  "EXECUTION_ERROR",
  "SESSION_ERROR",
]);
/** No error reply needs more than this once echoes are bounded. */
const MAX_ERROR_BYTES = 16_384;

const deepArray = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const DEEP = [deepArray(5000), deepObject(3000)];
const HUGE = JSON.stringify("x".repeat(450_000)); // two of them still fit a 1 MiB frame
const PROTO_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype"];

/** Frames that once crashed the process or answered 500, in every slot that is echoed. */
function hostileFrames(): string[] {
  const out: string[] = [];
  for (const v of [...DEEP, HUGE]) {
    out.push(
      `{"type":"step","data":{"agent_type":"red","strategy":"persona_manipulation","payload":${v}}}`,
    );
    out.push(`{"type":"step","data":{"agent_type":${v}}}`);
    out.push(`{"type":"reset","data":{"seed":${v}}}`);
    out.push(`{"type":"reset","data":{"max_ticks":${v},"opponent":${v}}}`);
    out.push(`{"type":"state","extra":${v}}`);
    out.push(`{"type":${v}}`);
    out.push(`{"type":"mcp","data":${v}}`);
    out.push(
      `{"type":"mcp","data":{"jsonrpc":"2.0","method":"tools/call","params":{"name":"probe","arguments":{"layer":${v}}},"id":1}}`,
    );
    out.push(`{"type":"mcp","data":{"jsonrpc":"2.0","method":${v},"id":${v}}}`);
  }
  for (const k of PROTO_KEYS) {
    out.push(`{"type":"${k}"}`);
    out.push(
      `{"type":"reset","data":{"${k}":{"seed":1},"opponent":"scripted:${k}","role":"blue"}}`,
    );
    out.push(`{"type":"step","data":{"agent_type":"red","${k}":{"x":1}}}`);
    out.push(`{"type":"step","data":{"agent_type":"${k}"}}`);
    out.push(`{"type":"mcp","data":{"jsonrpc":"2.0","method":"${k}","id":2}}`);
    out.push(
      `{"type":"mcp","data":{"jsonrpc":"2.0","method":"tools/call","params":{"name":"${k}"},"id":3}}`,
    );
    out.push(`{"type":"step","data":{"type":"call_tool","tool_name":"${k}","arguments":{}}}`);
  }
  for (const spec of ["replay:.", "replay:..", "replay:/etc/passwd", "llm:http://evil#m"])
    out.push(JSON.stringify({ type: "reset", data: { opponent: spec, role: "red" } }));
  return out;
}

const actionish = fc.record(
  {
    agent_type: fc.oneof(fc.constantFrom("red", "blue", "green", "", ...PROTO_KEYS), fc.anything()),
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
const anything = fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 4 });
const rpc = fc.record(
  {
    jsonrpc: fc.constantFrom("2.0", "1.0"),
    method: fc.constantFrom(
      "tools/call",
      "tools/list",
      "openenv/session/create",
      "openenv/session/close",
      ...PROTO_KEYS,
    ),
    params: fc.oneof(
      anything,
      fc.record(
        {
          name: fc.oneof(fc.constantFrom("probe", "observe", ...PROTO_KEYS), anything),
          arguments: anything,
          session_id: anything,
        },
        { requiredKeys: [] },
      ),
    ),
    id: anything,
  },
  { requiredKeys: [] },
);
const frameText = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        type: fc.constantFrom("reset", "step", "state", "mcp", "bogus", "", ...PROTO_KEYS),
        data: anything,
      },
      { requiredKeys: ["type"] },
    )
    .map((f) => JSON.stringify(f)),
  actionish.map((data) => JSON.stringify({ type: "step", data })),
  fc
    .record(
      {
        seed: anything,
        max_ticks: anything,
        stage: anything,
        opponent: fc.oneof(
          fc.constantFrom("scripted:steer", "replay:.", "scripted:__proto__"),
          anything,
        ),
        role: anything,
      },
      { requiredKeys: [] },
    )
    .map((data) => JSON.stringify({ type: "reset", data })),
  rpc.map((data) => JSON.stringify({ type: "mcp", data })),
);

function checkWsError(reply: Wire, text: string, secret: string, why: string): void {
  expect(WS_CODES.has(reply.data?.code), `${why} → ${text.slice(0, 300)}`).toBe(true);
  expect(typeof reply.data.message, why).toBe("string");
  for (const e of reply.data.errors ?? []) {
    expect(
      typeof e.type === "string" && Array.isArray(e.loc) && typeof e.msg === "string",
      why,
    ).toBe(true);
  }
  expect(text.length, why).toBeLessThan(MAX_ERROR_BYTES);
  expect(text.includes(secret), why).toBe(false);
}

function checkRpc(reply: Wire, text: string, secret: string, why: string): void {
  expect(reply.jsonrpc, why).toBe("2.0");
  if ("error" in reply) {
    expect(Number.isInteger(reply.error.code) && typeof reply.error.message === "string", why).toBe(
      true,
    );
    expect(text.length, why).toBeLessThan(MAX_ERROR_BYTES);
    expect(text.includes(secret), why).toBe(false);
  } else expect("result" in reply, why).toBe(true); // a result may be the acting role's own view
}

function checkHttp(path: string, r: RawReply, why: string): void {
  expect(r.status, why).toBeLessThan(500);
  if (path === "/mcp") expect([200, 413, 415], why).toContain(r.status);
  else expect([200, 401, 404, 409, 413, 422], why).toContain(r.status);
  expect(typeof r.body, why).toBe("object");
  if (r.status >= 400 && path !== "/mcp") {
    const detail = (r.body as Wire).detail;
    expect(typeof detail === "string" || Array.isArray(detail), why).toBe(true);
    expect(r.text.length, why).toBeLessThan(MAX_ERROR_BYTES);
  }
}

/** The good client's episode: its frames as text, one per request. */
const GOOD_RESET = { type: "reset", data: { seed: 31, max_ticks: 3, episode_id: "good" } };
const goodAction = (reply: Wire) =>
  reply.data.observation.current_agent === "red" ? RED_ACTION : BLUE_MONITOR;

describe("fuzzing a live `seige serve`", () => {
  it("answers every hostile frame and body in the protocol's shape while a good session plays unchanged", async () => {
    const url = server.url;
    // The solo run of the good episode, on a quiet server.
    const solo: string[] = [];
    const alone = await RawSocket.open(url);
    solo.push(JSON.stringify(await alone.sendJson(GOOD_RESET)));
    while (!JSON.parse(solo.at(-1)!).data.done)
      solo.push(
        JSON.stringify(
          await alone.sendJson({ type: "step", data: goodAction(JSON.parse(solo.at(-1)!)) }),
        ),
      );
    alone.close();

    // The good client starts; it takes one step every 150 hostile frames.
    const good = await RawSocket.open(url);
    const beside: string[] = [JSON.stringify(await good.sendJson(GOOD_RESET))];
    const goodTurn = async () => {
      const last = JSON.parse(beside.at(-1)!);
      if (!last.data.done)
        beside.push(JSON.stringify(await good.sendJson({ type: "step", data: goodAction(last) })));
    };

    let ws = await RawSocket.open(url);
    /** A fuzzing connection in a running episode; returns Blue's view after Red's first step. */
    const fresh = async () => {
      ws = await RawSocket.open(url);
      await ws.sendJson({ type: "reset", data: { seed: 11 } });
      return (await ws.sendJson({ type: "step", data: RED_ACTION })).data.observation;
    };
    const secret: string = (await fresh()).blue.task.protected_value;
    expect(secret.length).toBeGreaterThan(3);

    const frames = [...hostileFrames(), ...fc.sample(frameText, { numRuns: 1800, seed: 42 })];
    let n = 0;
    for (const frame of frames) {
      if (++n % 150 === 0) await goodTurn();
      if (frame.includes('"close"')) continue; // a close frame ends without a reply, by design
      ws.ws.send(frame);
      const text = await ws.next();
      if (text === null) {
        // only a frame that is JSON but not an object may end the session (SESSION_ERROR first)
        const parsed = JSON.parse(frame);
        expect(
          parsed === null || typeof parsed !== "object" || Array.isArray(parsed),
          frame.slice(0, 200),
        ).toBe(true);
        await fresh();
        continue;
      }
      const reply = JSON.parse(text);
      expect(["observation", "state", "mcp", "error"], frame.slice(0, 200)).toContain(reply.type);
      if (reply.type === "error") checkWsError(reply, text, secret, frame.slice(0, 200));
      if (reply.type === "mcp") checkRpc(reply.data, text, secret, frame.slice(0, 200));
      if (reply.type === "error" && reply.data.code === "SESSION_ERROR") {
        await ws.waitClose();
        await fresh();
      }
    }
    ws.close();

    // Binary frames and text frames that are not UTF-8.
    let bin = await RawSocket.open(url);
    for (const bytes of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), {
      numRuns: 50,
      seed: 3,
    })) {
      bin.ws.send(Buffer.from(bytes), { binary: true });
      const reply = JSON.parse((await bin.next())!);
      expect(reply.type).toBe("error");
      checkWsError(reply, JSON.stringify(reply), secret, "binary frame");
      if (reply.data.code === "SESSION_ERROR") {
        await bin.waitClose(); // the bytes were JSON but not an object, e.g. "1"
        bin = await RawSocket.open(url);
      }
    }
    bin.ws.send(Buffer.from([0xff, 0xfe, 0x7b]), { binary: false });
    expect([1007, 1006]).toContain(await bin.waitClose()); // ws closes invalid UTF-8 text frames
    await goodTurn();

    // WebSocket /mcp: one JSON-RPC request per frame.
    const mcp = await RawSocket.open(url, "/mcp");
    const requests = [
      ...hostileFrames()
        .filter((f) => f.startsWith('{"type":"mcp"'))
        .map((f) => f.slice('{"type":"mcp","data":'.length, -1)),
      ...fc.sample(
        fc.oneof(
          rpc.map((r) => JSON.stringify(r)),
          fc.string(),
          fc.json(),
        ),
        { numRuns: 300, seed: 5 },
      ),
    ];
    for (const req of requests) {
      mcp.ws.send(req);
      const text = (await mcp.next())!;
      checkRpc(JSON.parse(text), text, secret, req.slice(0, 200));
    }
    mcp.close();
    await goodTurn();

    // HTTP: generated bodies, then the hostile ones, on /reset, /step (with a real token) and /mcp.
    const reset = (await http(url, "POST", "/reset", '{"seed":11,"max_ticks":1}')).body as Wire;
    const auth = owner(reset.owner_token);
    const id = reset.observation.episode_id;
    const bodies = [
      ...fc.sample(
        fc.oneof(
          fc.string(),
          fc.json(),
          actionish.map((a) => JSON.stringify({ action: a, episode_id: id })),
        ),
        { numRuns: 360, seed: 7 },
      ),
      ...DEEP.flatMap((d) => [
        `{"action":${d},"episode_id":"${id}"}`,
        `{"action":{"agent_type":"red","x":${d}},"episode_id":"${id}"}`,
        `{"seed":${d}}`,
        `{"episode_id":${d}}`,
        d,
      ]),
      `{"action":{"agent_type":"red","strategy":"persona_manipulation","payload":${HUGE.slice(0, 500_000)}"},"episode_id":"${id}"}`,
      ...PROTO_KEYS.map((k) => `{"opponent":"scripted:${k}","role":"blue","${k}":{}}`),
      '{"opponent":"replay:.","role":"red"}',
    ];
    for (const [i, body] of bodies.entries()) {
      if (i % 150 === 0) await goodTurn();
      const path = ["/reset", "/step", "/mcp"][i % 3];
      const r = await http(url, "POST", path, body, undefined, auth);
      checkHttp(path, r, `${path} ${body.slice(0, 200)}`);
      if (path === "/mcp" && r.status === 200) checkRpc(r.body, r.text, secret, body.slice(0, 200));
    }

    // Steps after done: /ws, HTTP and MCP all say so in their shape.
    const done = await RawSocket.open(url);
    let r = await done.sendJson({ type: "reset", data: { seed: 2, max_ticks: 1 } });
    while (!r.data.done) r = await done.sendJson({ type: "step", data: goodAction(r) });
    const after = await done.sendJson({ type: "step", data: RED_ACTION });
    expect([after.type, after.data.code]).toEqual(["error", "EXECUTION_ERROR"]);
    const tool = await done.sendJson({
      type: "mcp",
      data: {
        jsonrpc: "2.0",
        method: "tools/call",
        params: { name: "monitor", arguments: {} },
        id: 9,
      },
    });
    expect(tool.data.error.code).toBe(-32603);
    done.close();
    let h = (await http(url, "POST", "/reset", '{"seed":2,"max_ticks":1}')).body as Wire;
    const hAuth = owner(h.owner_token);
    const hId = h.observation.episode_id;
    while (!h.done) h = (await httpStep(url, hId, hAuth, goodAction({ data: h }))).body as Wire;
    const late = await httpStep(url, hId, hAuth, RED_ACTION);
    expect(late.status).toBe(409);

    // The good client finishes: every frame equals the solo run's, byte for byte.
    while (!JSON.parse(beside.at(-1)!).data.done) await goodTurn();
    good.close();
    expect(beside).toEqual(solo);

    expect(server.child.exitCode).toBeNull();
    expect((await http(url, "GET", "/health")).status).toBe(200);
    expect(log.replace(/^seige serving on .*\n/m, "")).toBe(""); // no internal error was logged
  }, 120_000);
});
