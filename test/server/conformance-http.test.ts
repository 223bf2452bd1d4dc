// Conformance with OpenEnv's HTTP protocol (PROTOCOL.md §1), over a real socket:
// each exchange kind of golden/http_transcript_echo_nonmcp.txt, sent to seige.
// The echo env's own fields differ; status, envelope, error type and loc must not.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server/index.js";
import {
  http,
  httpStep,
  owner,
  RED_ACTION,
  startTestServer,
  typeLocs,
  type Wire,
} from "./helpers.js";

let server: RunningServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer();
  base = server.url;
});
afterAll(() => server.close());

describe("HTTP info routes", () => {
  it("GET /health answers healthy", async () => {
    const r = await http(base, "GET", "/health");
    expect([r.status, r.body]).toEqual([200, { status: "healthy" }]);
    expect(r.type).toMatch(/application\/json/);
  });

  it("GET /metadata has all six keys, name and description strings", async () => {
    const r = await http(base, "GET", "/metadata");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body as object).sort()).toEqual([
      "author",
      "description",
      "documentation_url",
      "name",
      "readme_content",
      "version",
    ]);
    expect((r.body as { name: string }).name).toBe("seige");
  });

  it("GET /schema gives action, observation and the base State schema", async () => {
    const r = await http(base, "GET", "/schema");
    const body = r.body as Record<string, Wire>;
    expect(r.status).toBe(200);
    expect(body.state.title).toBe("State");
    expect(body.state.properties).toHaveProperty("episode_id");
    expect(body.action.oneOf ?? body.action.anyOf).toHaveLength(2);
    expect(body.observation.properties).toHaveProperty("current_agent");
    expect(body.observation.properties).toHaveProperty("episode_id");
  });

  it("unknown paths are 404 and wrong methods 405, in FastAPI's shape", async () => {
    expect(await http(base, "GET", "/")).toMatchObject({
      status: 404,
      body: { detail: "Not Found" },
    });
    expect(await http(base, "GET", "/nonexistent")).toMatchObject({
      status: 404,
      body: { detail: "Not Found" },
    });
    expect(await http(base, "PUT", "/reset")).toMatchObject({
      status: 405,
      body: { detail: "Method Not Allowed" },
    });
    expect(await http(base, "GET", "/mcp")).toMatchObject({
      status: 405,
      body: { detail: "Method Not Allowed" },
    });
  });

  it("GET /docs is an HTML page and /openapi.json lists every path", async () => {
    const docs = await http(base, "GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.type).toMatch(/text\/html/);
    const api = (await http(base, "GET", "/openapi.json")).body as Wire;
    expect(api.openapi).toBe("3.1.0");
    expect(Object.keys(api.paths).sort()).toEqual([
      "/health",
      "/mcp",
      "/metadata",
      "/reset",
      "/schema",
      "/state",
      "/step",
    ]);
  });
});

describe("POST /reset", () => {
  it("accepts no body, {}, null and extra keys, and answers {observation, reward, done}", async () => {
    for (const body of [
      undefined,
      "{}",
      "null",
      '{"seed":42,"episode_id":"ep-1","difficulty":"hard"}',
    ]) {
      const r = await http(base, "POST", "/reset", body);
      expect(r.status, String(body)).toBe(200);
      const b = r.body as Record<string, Wire>;
      // OpenEnv's three keys, plus seige's owner token for continuing the episode over HTTP.
      expect(Object.keys(b).sort()).toEqual(["done", "observation", "owner_token", "reward"]);
      expect(b.owner_token).toMatch(/^[\w-]{32}$/);
      expect(typeof b.reward).toBe("number");
      expect(b.done).toBe(false);
      expect(b.observation.current_agent).toBe("red");
      expect(typeof b.observation.episode_id).toBe("string");
    }
  });

  it("makes the episode id itself: a client's episode_id is accepted and ignored", async () => {
    const r = await http(base, "POST", "/reset", '{"seed":1,"episode_id":"my-episode"}');
    expect(r.status).toBe(200);
    expect((r.body as Wire).observation.episode_id).not.toBe("my-episode");
    expect((r.body as Wire).observation.episode_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['{"seed":-1}', [["greater_than_equal", ["body", "seed"]]]],
    ['{"seed":"abc"}', [["int_parsing", ["body", "seed"]]]],
    ["not json", [["json_invalid", ["body", 0]]]],
    ["[]", [["model_attributes_type", ["body"]]]],
  ])("rejects %s with a 422 envelope error", async (body, expected) => {
    const r = await http(base, "POST", "/reset", body);
    expect(r.status).toBe(422);
    expect(typeLocs((r.body as Wire).detail)).toEqual(expected);
    for (const entry of (r.body as Wire).detail) {
      expect(
        Object.keys(entry).every((k) => ["type", "loc", "msg", "input", "ctx"].includes(k)),
      ).toBe(true);
      expect(typeof entry.msg).toBe("string");
    }
  });

  it("rejects a body that is not declared JSON", async () => {
    const r = await http(base, "POST", "/reset", '{"seed":1}', "application/x-www-form-urlencoded");
    expect(r.status).toBe(422);
    expect(typeLocs((r.body as Wire).detail)).toEqual([["model_attributes_type", ["body"]]]);
  });

  it("rejects a bad value of a known option with loc in the body", async () => {
    const r = await http(base, "POST", "/reset", '{"max_ticks":0,"stage":7}');
    expect(r.status).toBe(422);
    expect(typeLocs((r.body as Wire).detail).map(([, loc]) => loc)).toEqual(
      expect.arrayContaining([
        ["body", "max_ticks"],
        ["body", "stage"],
      ]),
    );
  });
});

describe("POST /step (seige's HTTP episodes)", () => {
  let auth: Record<string, string> = {};
  async function reset(): Promise<string> {
    const r = await http(base, "POST", "/reset", '{"seed":3}');
    auth = owner((r.body as Wire).owner_token);
    return (r.body as Wire).observation.episode_id;
  }

  it("continues the episode named by episode_id, with extra envelope keys allowed", async () => {
    const id = await reset();
    const body = {
      action: { ...RED_ACTION, metadata: { k: 1 } },
      episode_id: id,
      timeout_s: 5,
      request_id: "r1",
      custom: "x",
    };
    const r = await http(base, "POST", "/step", JSON.stringify(body), undefined, auth);
    expect(r.status).toBe(200);
    expect((r.body as Wire).observation.current_agent).toBe("blue");
    const state = (await http(base, "GET", `/state?episode_id=${id}`, undefined, undefined, auth))
      .body as Wire;
    expect([state.episode_id, state.step_count]).toEqual([id, 1]);
  });

  it.each([
    ['{"message":"hi"}', [["missing", ["body", "action"]]]],
    ["{}", [["missing", ["body", "action"]]]],
    [undefined, [["missing", ["body"]]]],
    ['{"action":"hi"}', [["dict_type", ["body", "action"]]]],
    ['{"action":{},"timeout_s":0,"episode_id":"x"}', [["greater_than", ["body", "timeout_s"]]]],
  ])("rejects the envelope %s with loc under body", async (body, expected) => {
    const r = await http(base, "POST", "/step", body);
    expect(r.status).toBe(422);
    expect(typeLocs((r.body as Wire).detail)).toEqual(expected);
  });

  it("without episode_id says to reset first or use /ws", async () => {
    const r = await http(base, "POST", "/step", JSON.stringify({ action: RED_ACTION }));
    expect(r.status).toBe(422);
    const [entry] = (r.body as Wire).detail;
    expect([entry.type, entry.loc]).toEqual(["missing", ["body", "episode_id"]]);
    expect(entry.msg).toMatch(/\/reset/);
    expect(entry.msg).toMatch(/\/ws/);
  });

  it("rejects a malformed action with loc relative to the action, and the episode never sees it", async () => {
    const id = await reset();
    const cases: [unknown, [string, unknown[]][]][] = [
      [{}, [["missing", ["agent_type"]]]],
      [{ agent_type: "purple" }, [["union_tag_invalid", ["agent_type"]]]],
      [{ ...RED_ACTION, extra: 1 }, [["extra_forbidden", ["extra"]]]],
      [{ agent_type: "red", strategy: "persona_manipulation" }, [["missing", ["payload"]]]],
      [{ ...RED_ACTION, strategy: "nope" }, [["literal_error", ["strategy"]]]],
      [{ ...RED_ACTION, payload: 5 }, [["string_type", ["payload"]]]],
    ];
    for (const [action, expected] of cases) {
      const body = JSON.stringify({ action, episode_id: id });
      const r = await http(base, "POST", "/step", body, undefined, auth);
      expect(r.status, JSON.stringify(action)).toBe(422);
      expect(typeLocs((r.body as Wire).detail)).toEqual(expected);
    }
    const state = (await http(base, "GET", `/state?episode_id=${id}`, undefined, undefined, auth))
      .body as Wire;
    expect(state.step_count).toBe(0);
  });

  it("an unknown episode_id is 404 with what to do", async () => {
    await reset();
    const r = await http(
      base,
      "POST",
      "/step",
      JSON.stringify({ action: RED_ACTION, episode_id: "never-made" }),
      undefined,
      auth,
    );
    expect(r.status).toBe(404);
    expect((r.body as Wire).detail).toMatch(/POST \/reset/);
  });

  it("a step after done is 409 saying to reset", async () => {
    const r0 = await http(base, "POST", "/reset", '{"seed":5,"max_ticks":1}');
    const id = (r0.body as Wire).observation.episode_id;
    auth = owner((r0.body as Wire).owner_token);
    let done = false;
    let current = (r0.body as Wire).observation.current_agent;
    for (let i = 0; i < 20 && !done; i++) {
      const action =
        current === "red" ? RED_ACTION : { agent_type: "blue", action_type: "monitor" };
      const r = (await httpStep(base, id, auth, action)).body as Wire;
      done = r.done;
      current = r.observation.current_agent;
    }
    expect(done).toBe(true);
    const after = await httpStep(base, id, auth, RED_ACTION);
    expect(after.status).toBe(409);
    expect((after.body as Wire).detail).toMatch(/reset/);
  });
});

describe("GET /state", () => {
  it("without episode_id answers for a fresh environment, as OpenEnv does", async () => {
    const r = await http(base, "GET", "/state");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ episode_id: null, step_count: 0 });
  });

  it("an unknown episode_id is 404 with a token, 401 without one", async () => {
    const token = ((await http(base, "POST", "/reset")).body as Wire).owner_token;
    const path = "/state?episode_id=nope";
    expect((await http(base, "GET", path, undefined, undefined, owner(token))).status).toBe(404);
    const bare = await http(base, "GET", path);
    expect(bare.status).toBe(401);
    expect((bare.body as Wire).detail).toMatch(/Authorization: Bearer/);
  });
});

describe("limits", () => {
  it("an oversized body is 413 and the server keeps serving", async () => {
    const big = JSON.stringify({
      action: { ...RED_ACTION, payload: "x".repeat(2 << 20) },
      episode_id: "x",
    });
    const r = await http(base, "POST", "/step", big);
    expect(r.status).toBe(413);
    expect((await http(base, "GET", "/health")).status).toBe(200);
  });

  it("a chunked body (no Content-Length) is counted as it arrives: 413 over the limit, read under it", async () => {
    const { port } = new URL(base);
    const post = (path: string, chunks: string[]) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let text = "";
        socket.on("error", reject);
        socket.on("data", (d) => {
          text += d;
        });
        socket.on("close", () => resolve(text));
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
        );
        for (const c of chunks) socket.write(`${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`);
        socket.write("0\r\n\r\n");
      });
    const big = `{"seed": 1, "pad": "${"x".repeat(2 << 20)}"}`;
    const refused = await post("/reset", [big.slice(0, 1 << 20), big.slice(1 << 20)]);
    expect(refused).toMatch(/^HTTP\/1.1 413/);
    const ok = await post("/reset", ['{"seed": ', "7}"]);
    expect(ok).toMatch(/^HTTP\/1.1 200/);
    expect(ok).toContain('"episode_id"');
  });

  it("a client that writes its whole 8 MB text/plain body before reading gets the 413, not a reset", async () => {
    // As Python's http.client does: the reply is read only after the last byte is written.
    const { port } = new URL(base);
    const body = Buffer.alloc(8 << 20, "a");
    const head = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1");
      let text = "";
      socket.on("error", reject);
      socket.write(head);
      socket.write(body, (e) => {
        if (e) return reject(e);
        socket.on("data", (d) => {
          text += d;
          if (!text.includes("\r\n\r\n{")) return;
          socket.destroy();
          resolve(text);
        });
      });
    });
    expect(reply).toMatch(/^HTTP\/1.1 413/);
  });
});
