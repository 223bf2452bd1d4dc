// "Nothing leaks": once a session closes (client close, abrupt disconnect, idle
// timeout, MCP session close, evicted HTTP episode), its environment becomes
// garbage. Checked with WeakRefs and a forced GC.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { http, owner, RawSocket, RED_ACTION } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const refs: WeakRef<SeigeEnv>[] = [];
let server: RunningServer;
beforeAll(async () => {
  const target = await createTarget({ backend: "sim" });
  server = await startServer({
    port: 0,
    limits: { maxHttpEpisodes: 1 },
    createEnv: () => {
      const env = new SeigeEnv(target);
      refs.push(new WeakRef(env));
      return env;
    },
  });
});
afterAll(() => server.close());

async function collect(): Promise<number> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
  }
  return refs.filter((r) => r.deref() !== undefined).length;
}

describe("closed sessions free their environments", () => {
  it("after close frames, abrupt disconnects, MCP session close and HTTP eviction", async () => {
    for (let i = 0; i < 4; i++) {
      const ws = await RawSocket.open(server.url);
      await ws.sendJson({ type: "reset", data: { seed: i } });
      await ws.sendJson({ type: "step", data: RED_ACTION });
      if (i % 2) ws.ws.terminate();
      else {
        ws.ws.send('{"type":"close"}');
        await ws.waitClose();
      }
    }
    const created = await http(
      server.url,
      "POST",
      "/mcp",
      '{"jsonrpc":"2.0","method":"openenv/session/create","id":1}',
    );
    const session_id = (created.body as { result: { session_id: string } }).result.session_id;
    await http(
      server.url,
      "POST",
      "/mcp",
      JSON.stringify({
        jsonrpc: "2.0",
        method: "openenv/session/close",
        params: { session_id },
        id: 2,
      }),
    );
    // The pool holds 1: one owner's three resets evict its own two older episodes.
    let auth: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      const r = await http(server.url, "POST", "/reset", "{}", undefined, auth);
      auth = owner((r.body as { owner_token: string }).owner_token);
    }
    await http(server.url, "GET", "/state"); // a throwaway env

    for (let i = 0; i < 50 && server.sessions.active > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.sessions.active).toBe(0);
    expect(refs.length).toBe(4 + 1 + 3 + 1);
    // only the one live HTTP episode keeps its env
    expect(await collect()).toBe(1);
  });
});
