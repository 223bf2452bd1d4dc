// HTTP episodes have owners (issue 11, item 4; docs/server.md, "Security
// model"): ids are the server's, acting on an episode takes the owner token its
// /reset returned, and a full pool evicts the caller's own episode, then a
// finished or expired one, and otherwise refuses — never another client's live
// episode. Run through the app without a socket (Hono's app.request()).
import { describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import { createApp, DEFAULT_LIMITS, SERVER_INFO, SessionManager } from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { BLUE_MONITOR, RED_ACTION, type Wire } from "./helpers.js";

async function setup(limits = {}) {
  const target = await createTarget({ backend: "sim" });
  let now = 0;
  const sessions = new SessionManager(
    () => new SeigeEnv(target),
    { ...DEFAULT_LIMITS, ...limits },
    () => now,
  );
  const app = createApp({ sessions, info: SERVER_INFO, log: () => {} });
  const json = { "content-type": "application/json" };
  const auth = (token?: string): Record<string, string> =>
    token ? { authorization: `Bearer ${token}` } : {};
  const call = async (path: string, body?: unknown, token?: string, method = "POST") => {
    const r = await app.request(path, {
      method,
      headers: { ...json, ...auth(token) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, headers: r.headers, body: (await r.json()) as Wire };
  };
  const reset = async (options: object = {}, token?: string) => {
    now += 10; // distinct last-used stamps
    const r = await call("/reset", options, token);
    return { ...r, id: r.body.observation?.episode_id, token: r.body.owner_token as string };
  };
  const step = (id: string, token: string | undefined, action: object = RED_ACTION) => {
    now += 10;
    return call("/step", { action, episode_id: id }, token);
  };
  const state = (id: string, token?: string) =>
    call(`/state?episode_id=${encodeURIComponent(id)}`, undefined, token, "GET");
  return { sessions, reset, step, state, tick: (ms: number) => (now += ms) };
}

describe("HTTP episode ownership", () => {
  it("only the owner token that /reset returned acts on an episode", async () => {
    const { reset, step, state } = await setup();
    const alice = await reset({ seed: 1 });
    const mallory = await reset({ seed: 2 });
    expect(alice.token).not.toBe(mallory.token);

    const noToken = await step(alice.id, undefined);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(noToken.body.detail).toMatch(/Authorization: Bearer <owner_token>/);

    // Another client's token: the same 404 as an id that never existed.
    const stolen = await step(alice.id, mallory.token);
    const unknown = await step("never-made", mallory.token);
    expect([stolen.status, unknown.status]).toEqual([404, 404]);
    expect(stolen.body.detail.replace(alice.id, "X")).toBe(
      unknown.body.detail.replace("never-made", "X"),
    );
    expect((await state(alice.id, mallory.token)).status).toBe(404);
    expect((await state(alice.id)).status).toBe(401);

    // Nothing Mallory did reached Alice's episode.
    const mine = await state(alice.id, alice.token);
    expect([mine.status, mine.body.step_count]).toEqual([200, 0]);
    expect((await step(alice.id, alice.token)).status).toBe(200);
  });

  it("ids are made by the server: a chosen episode_id cannot name or take over an episode", async () => {
    const { reset, state } = await setup();
    const alice = await reset({ seed: 1 });
    const mallory = await reset({ seed: 9, episode_id: alice.id });
    expect(mallory.status).toBe(200);
    expect(mallory.id).not.toBe(alice.id);
    const hers = await state(alice.id, alice.token);
    expect([hers.body.episode_id, hers.body.step_count]).toEqual([alice.id, 0]);
  });

  it("a full pool evicts the caller's own oldest episode, never another client's live one", async () => {
    const { sessions, reset, step, state } = await setup({ maxHttpEpisodes: 3 });
    const alice1 = await reset({ seed: 1 });
    const alice2 = await reset({ seed: 2 }, alice1.token);
    expect(alice2.token).toBe(alice1.token); // the same owner
    const bob = await reset({ seed: 3 });
    expect(sessions.httpEpisodes).toBe(3);

    // A newcomer finds only live episodes of others: refused, and nothing evicted.
    const carol = await reset({ seed: 4 });
    expect(carol.status).toBe(503);
    expect(carol.headers.get("retry-after")).toBe("30");
    expect(carol.body.detail).toMatch(/in use by other clients/);
    for (const e of [alice1, alice2, bob]) expect((await state(e.id, e.token)).status).toBe(200);

    // Alice resets again: her own least recently used episode goes, not Bob's.
    await step(alice1.id, alice1.token); // alice1 is now more recent than alice2
    const alice3 = await reset({ seed: 5 }, alice1.token);
    expect(alice3.status).toBe(200);
    expect((await state(alice2.id, alice1.token)).status).toBe(404);
    expect((await state(alice1.id, alice1.token)).status).toBe(200);
    expect((await state(bob.id, bob.token)).status).toBe(200);
  });

  it("a full pool gives a newcomer a finished or expired episode's place", async () => {
    const { reset, step, state, tick } = await setup({ maxHttpEpisodes: 2, idleTimeoutMs: 1000 });
    const alice = await reset({ seed: 1, max_ticks: 1 });
    const bob = await reset({ seed: 2 });
    let r = await step(alice.id, alice.token);
    for (let i = 0; i < 20 && !r.body.done; i++) {
      const turn = r.body.observation.current_agent;
      r = await step(alice.id, alice.token, turn === "red" ? RED_ACTION : BLUE_MONITOR);
    }
    expect(r.body.done).toBe(true);
    const carol = await reset({ seed: 3 });
    expect(carol.status).toBe(200);
    expect((await state(alice.id, alice.token)).status).toBe(404); // finished: evicted
    expect((await state(bob.id, bob.token)).status).toBe(200); // live: kept

    tick(5000); // Bob and Carol go idle past the timeout (the reaper has not run yet)
    const dave = await reset({ seed: 4 });
    expect(dave.status).toBe(200);
    expect((await state(carol.id, carol.token)).status).toBe(200);
    expect((await state(bob.id, bob.token)).status).toBe(404); // the least recently used expired one
  });

  it("a reset that fails evicts nothing and leaves no episode", async () => {
    const { sessions, reset, state } = await setup({ maxHttpEpisodes: 1 });
    const alice = await reset({ seed: 1 });
    const bad = await reset({ max_ticks: 0 }, alice.token);
    expect(bad.status).toBe(422);
    const badOpponent = await reset({ opponent: "scripted:constructor" }, alice.token);
    expect(badOpponent.status).toBe(422);
    expect(sessions.httpEpisodes).toBe(1);
    expect((await state(alice.id, alice.token)).status).toBe(200);
  });
});

describe("the documented contract", () => {
  it("the OpenAPI document names the owner token, its header and the refusals", async () => {
    const { openApiDocument } = await import("../../src/server/http/openapi.js");
    const doc = openApiDocument(SERVER_INFO) as Wire;
    expect(doc.components.securitySchemes.ownerToken).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    expect(doc.components.schemas.ResetResponse.required).toContain("owner_token");
    expect(doc.paths["/reset"].post.responses["200"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/ResetResponse",
    );
    expect(doc.paths["/step"].post.security).toEqual([{ ownerToken: [] }]);
    expect(Object.keys(doc.paths["/step"].post.responses)).toEqual(
      expect.arrayContaining(["401", "403", "404"]),
    );
    expect(Object.keys(doc.paths["/reset"].post.responses)).toContain("503");
    expect(Object.keys(doc.paths["/mcp"].post.responses)).toContain("415");
  });
});
