// The typed client: a whole episode over /ws and over the HTTP fallback, errors
// as SeigeClientError with the server's code, and timeouts that close the
// connection instead of pairing a late reply with the next request.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { SeigeClientError, SeigeHttpClient, wsUrl } from "../../src/client/index.js";
import { connectNode } from "../../src/client/node.js";
import type { RunningServer } from "../../src/server/index.js";
import { BLUE_MONITOR, RED_ACTION, startTestServer } from "../server/helpers.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ maxSessions: 2 });
});
afterAll(() => server.close());

describe("wsUrl", () => {
  it("converts like OpenEnv's convert_to_ws_url", () => {
    expect(wsUrl("http://h:8000/")).toBe("ws://h:8000/ws");
    expect(wsUrl("https://x.hf.space")).toBe("wss://x.hf.space/ws");
    expect(wsUrl("localhost:8000/prefix")).toBe("ws://localhost:8000/prefix/ws");
  });
});

describe("SeigeClient over /ws", () => {
  it("plays an episode, reads state and calls tools", async () => {
    const c = await connectNode(server.url, { timeoutMs: 10_000 });
    let r = await c.reset({ seed: 21, max_ticks: 2 });
    expect(r.observation.current_agent).toBe("red");
    while (!r.done)
      r = await c.step(r.observation.current_agent === "red" ? RED_ACTION : BLUE_MONITOR);
    expect(r.observation.summary).toBeDefined();
    const state = await c.state();
    expect(state.episode_id).toBe(r.observation.episode_id);
    expect((await c.listTools()).map((t) => t.name)).toContain("observe");
    await c.reset({ seed: 22 });
    const view = await c.callTool<{ task: unknown }>("observe");
    expect(view.task).toBeDefined();
    await c.close();
    expect(c.isOpen).toBe(false);
  });

  it("raises the server's error code and keeps the connection usable", async () => {
    const c = await connectNode(server.url);
    await c.reset({ seed: 1 });
    const err = await c.step({ agent_type: "red" } as never).catch((e) => e);
    expect(err).toBeInstanceOf(SeigeClientError);
    expect(err.code).toBe("VALIDATION_ERROR");
    expect((await c.step(RED_ACTION)).observation.current_agent).toBe("blue");
    const rpcErr = await c.callTool("persona_manipulation", { payload: 1 }).then(
      () => null,
      (e: SeigeClientError) => e,
    );
    expect(rpcErr?.code).toBe("rpc:-32603");
    await c.close();
  });

  it("over capacity, the first request fails with CAPACITY_REACHED", async () => {
    const a = await connectNode(server.url);
    const b = await connectNode(server.url);
    const c = await connectNode(server.url);
    await new Promise((r) => setTimeout(r, 100)); // the refusal frame and close arrive
    const err = await c.reset().catch((e) => e);
    expect(err.code).toBe("CAPACITY_REACHED");
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe("client timeouts", () => {
  it("close the connection, so a late reply cannot pair with the next request", async () => {
    // A server that answers the first frame only after 300 ms.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.once("listening", r));
    wss.on("connection", (ws) =>
      ws.on("message", () =>
        setTimeout(
          () => ws.readyState === 1 && ws.send('{"type":"state","data":{"late":true}}'),
          300,
        ),
      ),
    );
    const port = (wss.address() as { port: number }).port;
    try {
      const c = await connectNode(`http://127.0.0.1:${port}`, { timeoutMs: 100 });
      const err = await c.state().catch((e) => e);
      expect(err.code).toBe("timeout");
      const next = await c.state().catch((e) => e);
      expect(next).toBeInstanceOf(SeigeClientError);
      expect(next.code).toBe("timeout"); // not the late {"late":true} reply
      expect(c.isOpen).toBe(false);
    } finally {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});

describe("SeigeHttpClient (HTTP fallback)", () => {
  it("continues one episode by episode_id", async () => {
    const h = new SeigeHttpClient(server.url, { timeoutMs: 10_000 });
    expect(await h.health()).toEqual({ status: "healthy" });
    let r = await h.reset({ seed: 31, max_ticks: 1 });
    const id = h.episodeId;
    while (!r.done)
      r = await h.step(r.observation.current_agent === "red" ? RED_ACTION : BLUE_MONITOR);
    expect(r.observation.episode_id).toBe(id);
    expect((await h.state()).episode_id).toBe(id);
    const err = await h.step(RED_ACTION).catch((e) => e);
    expect(err.code).toBe("http:409");
    expect((await h.listTools()).length).toBeGreaterThan(10);
  });
});
