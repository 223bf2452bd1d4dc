// The HTTP handlers without a socket (Hono's app.request), and the /ws frame
// handler called directly: the protocol is testable without networking.
import { describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import {
  createApp,
  DEFAULT_LIMITS,
  handleEnvFrame,
  SERVER_INFO,
  SessionManager,
} from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { RED_ACTION, type Wire } from "./helpers.js";

async function context(limits = {}) {
  const target = await createTarget({ backend: "sim" });
  const sessions = new SessionManager(() => new SeigeEnv(target), { ...DEFAULT_LIMITS, ...limits });
  return { sessions, info: SERVER_INFO, log: () => {} };
}

describe("HTTP app without a socket", () => {
  it("resets and steps an HTTP episode by episode_id and owner token", async () => {
    const app = createApp(await context());
    const reset = await app.request("/reset", {
      method: "POST",
      body: '{"seed":4}',
      headers: { "content-type": "application/json" },
    });
    const body = (await reset.json()) as Wire;
    const id = body.observation.episode_id;
    const step = await app.request("/step", {
      method: "POST",
      body: JSON.stringify({ action: RED_ACTION, episode_id: id }),
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${body.owner_token}`,
      },
    });
    expect(step.status).toBe(200);
    expect(((await step.json()) as Wire).observation.current_agent).toBe("blue");
  });

  it("a reset with bad options leaves no HTTP episode behind", async () => {
    const ctx = await context();
    const app = createApp(ctx);
    const r = await app.request("/reset", {
      method: "POST",
      body: '{"max_ticks":0}',
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(422);
    expect(ctx.sessions.httpEpisodes).toBe(0);
  });

  it("an unexpected env failure is a bare 500 that reveals nothing", async () => {
    const sessions = new SessionManager(
      () => ({
        reset: async () => {
          throw new Error("secret protected value is HUNTER2");
        },
        step: async () => {
          throw new Error("x");
        },
        state: () => ({}),
        observe: () => null,
        done: false,
      }),
      DEFAULT_LIMITS,
    );
    const logs: string[] = [];
    const app = createApp({ sessions, info: SERVER_INFO, log: (l) => logs.push(l) });
    const r = await app.request("/reset", { method: "POST" });
    expect(r.status).toBe(500);
    expect(await r.text()).toBe("Internal Server Error");
    expect(logs.join("\n")).toMatch(/HUNTER2/); // the operator sees it, the client does not
  });
});

describe("idle expiry", () => {
  it("closes HTTP episodes and sessions idle longer than the timeout, not busy or recent ones", async () => {
    const target = await createTarget({ backend: "sim" });
    let now = 0;
    const sessions = new SessionManager(
      () => new SeigeEnv(target),
      { ...DEFAULT_LIMITS, idleTimeoutMs: 1000 },
      () => now,
    );
    const admit = () => {
      const { session, token } = sessions.http.prepare(null);
      sessions.http.admit(session, token);
      return { session, token };
    };
    const old = admit();
    const ws = sessions.open("ws")!;
    now = 900;
    const recent = admit();
    now = 1500;
    expect(sessions.reap()).toBe(2);
    expect(() => sessions.httpEpisode(old.session.id, old.token)).toThrow(/expired after 1 s idle/);
    expect(sessions.httpEpisode(recent.session.id, recent.token)).toBe(recent.session);
    expect(sessions.active).toBe(0);
    expect([old.session.closed, ws.closed]).toEqual([true, true]);
  });
});

describe("/ws frames without a socket", () => {
  it("pairs each frame with one reply and keeps the session after errors", async () => {
    const ctx = await context();
    const session = ctx.sessions.open("ws")!;
    const send = (text: string) => session.run(() => handleEnvFrame(text, session, ctx));
    expect((await send("nope")).reply).toMatchObject({
      type: "error",
      data: { code: "INVALID_JSON" },
    });
    expect((await send('{"type":"reset","data":{"seed":1}}')).reply).toMatchObject({
      type: "observation",
    });
    const out = await send(JSON.stringify({ type: "step", data: RED_ACTION }));
    expect(out).toMatchObject({ reply: { type: "observation" }, close: false });
    expect(await send('{"type":"close"}')).toEqual({ reply: null, close: true });
  });

  it("a closed session's env is released", async () => {
    const ctx = await context();
    const session = ctx.sessions.open("ws")!;
    await session.ready;
    ctx.sessions.close(session.id);
    expect((session as unknown as { env: unknown }).env).toBeNull();
    await expect(session.run(() => session.state())).rejects.toThrow(/closed/);
  });
});
