// Who may connect (issue 11, item 5; docs/server.md, "Security model"): a
// browser page from another origin cannot open /ws or WebSocket /mcp nor send
// state-changing HTTP requests, even the "simple" ones a page may send without
// asking; the server's own /web page, non-browser clients (no Origin) and
// origins the operator allow-lists can. The server binds loopback by default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import {
  allowedOriginsFromEnv,
  originAllowed,
  type RunningServer,
  startServer,
} from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { http, RawSocket, wsHandshake } from "./helpers.js";

const EVIL = "http://evil.example";
let server: RunningServer;
let allowing: RunningServer;
beforeAll(async () => {
  const target = await createTarget({ backend: "sim" });
  const createEnv = () => new SeigeEnv(target);
  server = await startServer({ createEnv, port: 0 });
  allowing = await startServer({ createEnv, port: 0, allowedOrigins: [EVIL] });
});
afterAll(async () => {
  await server.close();
  await allowing.close();
});

/** The HTTP status of a WebSocket handshake from a page of `origin` (none: not a browser). */
const handshake = (base: string, path: string, origin?: string): Promise<number> =>
  wsHandshake(base + path, origin ? { origin } : {});

describe("origin checks", () => {
  it("binds 127.0.0.1 unless told otherwise", () => {
    expect(new URL(server.url).hostname).toBe("127.0.0.1");
  });

  it("refuses a foreign page's WebSocket on /ws and /mcp, and opens no session", async () => {
    for (const path of ["/ws", "/mcp"]) {
      expect(await handshake(server.url, path, EVIL)).toBe(403);
      expect(await handshake(server.url, path, "null")).toBe(403);
    }
    expect(server.sessions.active).toBe(0);
  });

  it("accepts no Origin (non-browser clients), its own origin (/web) and allow-listed ones", async () => {
    const own = new URL(server.url).origin;
    for (const path of ["/ws", "/mcp"]) {
      expect(await handshake(server.url, path)).toBe(101);
      expect(await handshake(server.url, path, own)).toBe(101);
      expect(await handshake(allowing.url, path, EVIL)).toBe(101);
    }
    const ws = await RawSocket.open(server.url);
    expect((await ws.sendJson({ type: "reset", data: {} })).type).toBe("observation");
    ws.close();
  });

  it("refuses a foreign page's POSTs, text/plain 'simple' requests included, changing nothing", async () => {
    const from = { origin: EVIL };
    const reset = await http(server.url, "POST", "/reset", undefined, undefined, from);
    expect(reset.status).toBe(403);
    expect((reset.body as { detail: string }).detail).toMatch(/SEIGE_ALLOWED_ORIGINS/);
    const create = '{"jsonrpc":"2.0","method":"openenv/session/create","id":1}';
    const mcp = await http(server.url, "POST", "/mcp", create, "text/plain", from);
    expect(mcp.status).toBe(403);
    expect([server.sessions.active, server.sessions.httpEpisodes]).toEqual([0, 0]);
    // Reading public routes stays open: a cross-origin page cannot read the answer anyway.
    expect((await http(server.url, "GET", "/health", undefined, undefined, from)).status).toBe(200);
    // The allow-listed origin may.
    expect((await http(allowing.url, "POST", "/reset", undefined, undefined, from)).status).toBe(
      200,
    );
  });

  it("POST /mcp needs a JSON content type (415 in JSON-RPC shape), without Origin too", async () => {
    const create = '{"jsonrpc":"2.0","method":"openenv/session/create","id":1}';
    const r = await http(server.url, "POST", "/mcp", create, "text/plain");
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    expect(server.sessions.active).toBe(0);
    const ok = await http(server.url, "POST", "/mcp", create);
    expect(ok.status).toBe(200);
  });

  it("decides from the headers alone, and reads the allow-list from SEIGE_ALLOWED_ORIGINS", () => {
    expect(originAllowed({ origin: "http://a:1", host: "a:1" }, [])).toBe(true);
    expect(
      originAllowed(
        {
          origin: "https://space.hf.space",
          host: "10.0.0.2:8000",
          forwardedHost: "space.hf.space",
        },
        [],
      ),
    ).toBe(true);
    expect(originAllowed({ origin: "http://a:1", host: "a:2" }, [])).toBe(false);
    expect(originAllowed({ origin: "http://b", host: "a" }, ["*"])).toBe(true);
    expect(allowedOriginsFromEnv({ SEIGE_ALLOWED_ORIGINS: " https://x.org/path , * " })).toEqual([
      "https://x.org",
      "*",
    ]);
    expect(() => allowedOriginsFromEnv({ SEIGE_ALLOWED_ORIGINS: "not a url" })).toThrow(
      /not an origin/,
    );
  });
});
