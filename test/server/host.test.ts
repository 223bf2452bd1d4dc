// DNS-rebinding defence (docs/server.md, "Security model"): a page whose own name
// was re-pointed at 127.0.0.1 passes the origin check (its Origin matches Host),
// but its Host still names it, so a loopback-bound server refuses it: on every
// route, GETs included, and on WebSocket handshakes, changing nothing. Loopback
// names with the server's port and SEIGE_ALLOWED_HOSTS entries are answered;
// bound to 0.0.0.0 (containers) there is no Host check. Over real sockets.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import {
  allowedHostsFromEnv,
  hostAllowed,
  type RunningServer,
  startServer,
} from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { wsHandshake } from "./helpers.js";

let loopback: RunningServer;
let allowing: RunningServer;
let open: RunningServer;
beforeAll(async () => {
  const target = await createTarget({ backend: "sim" });
  const createEnv = () => new SeigeEnv(target);
  loopback = await startServer({ createEnv, port: 0 });
  allowing = await startServer({ createEnv, port: 0, allowedHosts: ["arena.example"] });
  open = await startServer({ createEnv, port: 0, host: "0.0.0.0" });
});
afterAll(async () => {
  await Promise.all([loopback.close(), allowing.close(), open.close()]);
});

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** One request to 127.0.0.1:port with a chosen Host header; status and parsed body. */
function withHost(
  port: number,
  host: string,
  method = "GET",
  path = "/health",
  body?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, setHost: false, headers: { host } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: parse(text) }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.setHeader("content-type", "application/json");
    req.end(body);
  });
}

/** The status of a WebSocket handshake sent with a chosen Host (101 when it opens). */
const handshake = (port: number, host: string, path = "/ws"): Promise<number> =>
  wsHandshake(`ws://127.0.0.1:${port}${path}`, { host });

describe("Host check (DNS rebinding)", () => {
  it("refuses a rebound name on every route and on /ws and /mcp, changing nothing", async () => {
    const rebound = `evil.example:${loopback.port}`;
    const health = await withHost(loopback.port, rebound);
    expect(health.status).toBe(403);
    expect((health.body as { detail: string }).detail).toMatch(/SEIGE_ALLOWED_HOSTS/);
    expect((await withHost(loopback.port, rebound, "GET", "/schema")).status).toBe(403);
    expect((await withHost(loopback.port, rebound, "POST", "/reset", "{}")).status).toBe(403);
    expect(await handshake(loopback.port, rebound, "/ws")).toBe(403);
    expect(await handshake(loopback.port, rebound, "/mcp")).toBe(403);
    expect([loopback.sessions.active, loopback.sessions.httpEpisodes]).toEqual([0, 0]);
  });

  it("answers loopback names on any port (a local proxy forwards its own), and no other name", async () => {
    const p = loopback.port;
    const loopbackNames = [`localhost:${p}`, `127.0.0.1:${p}`, `127.0.0.2:${p}`, `[::1]:${p}`];
    for (const host of [...loopbackNames, `localhost:${p + 1}`, "localhost"]) {
      expect((await withHost(p, host)).status, host).toBe(200);
    }
    expect(await handshake(p, `localhost:${p}`)).toBe(101);
    for (const host of [`127.0.0.1.evil.example:${p}`, `localhost.evil.example:${p}`, "evil"]) {
      expect((await withHost(p, host)).status, host).toBe(403);
    }
  });

  it("answers hosts the operator lists, and checks nothing when bound to 0.0.0.0", async () => {
    expect((await withHost(allowing.port, "arena.example:8443")).status).toBe(200);
    expect((await withHost(allowing.port, "other.example")).status).toBe(403);
    expect((await withHost(open.port, `evil.example:${open.port}`)).status).toBe(200);
    expect(await handshake(open.port, "evil.example")).toBe(101);
  });

  it("decides from the header alone, and reads SEIGE_ALLOWED_HOSTS", () => {
    const policy = { bound: "127.0.0.1", port: 8000, allowList: ["a.org:9000"] };
    expect(hostAllowed(undefined, policy)).toBe(true); // HTTP/1.0, never a browser
    expect(hostAllowed("LocalHost:8000", policy)).toBe(true);
    expect(hostAllowed("a.org:9000", policy)).toBe(true);
    expect(hostAllowed("a.org:8000", policy)).toBe(false);
    expect(hostAllowed("x:y", policy)).toBe(false);
    expect(hostAllowed("evil.example:8000", { ...policy, bound: "::1" })).toBe(false);
    expect(hostAllowed("evil.example:8000", { ...policy, bound: "10.0.0.2" })).toBe(true);
    expect(allowedHostsFromEnv({ SEIGE_ALLOWED_HOSTS: " Arena.Example:8000 , * " })).toEqual([
      "arena.example:8000",
      "*",
    ]);
    expect(() => allowedHostsFromEnv({ SEIGE_ALLOWED_HOSTS: "http://x/" })).toThrow(/not a host/);
  });
});
