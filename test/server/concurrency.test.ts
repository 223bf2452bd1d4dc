// 64 concurrent /ws sessions play whole episodes through the typed client; each
// must match its in-process replay with the same seed and actions (episodes do
// not interfere through the shared target), and a 65th connection is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import type { Action } from "../../src/arena/schema.js";
import type { SeigeClient, StepReply } from "../../src/client/index.js";
import { connectNode } from "../../src/client/node.js";
import { SeigeEnv } from "../../src/env/index.js";
import type { RunningServer } from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { hash32 } from "../../src/util/rng.js";
import { RawSocket, startTestServer } from "./helpers.js";

const N = 64;
const MAX_TICKS = 3;

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ maxSessions: N });
});
afterAll(() => server.close());

interface Played {
  seed: number;
  episodeId: string;
  actions: Action[];
  replies: StepReply[];
}

async function play(client: SeigeClient, seed: number): Promise<Played> {
  const red = resolvePolicy("red", "steer");
  const blue = resolvePolicy("blue", "probe-threshold");
  red.reset(hash32(`red/${seed}`));
  blue.reset(hash32(`blue/${seed}`));
  const episodeId = `conc-${seed}`;
  let reply = await client.reset({ seed, max_ticks: MAX_TICKS, episode_id: episodeId });
  const replies = [reply];
  const actions: Action[] = [];
  for (let i = 0; i < 200 && !reply.done; i++) {
    const obs = reply.observation;
    const action = (
      obs.current_agent === "red" ? await red.act(obs.red!) : await blue.act(obs.blue!)
    ) as Action;
    actions.push(action);
    reply = await client.step(action);
    replies.push(reply);
  }
  expect(reply.done).toBe(true);
  return { seed, episodeId, actions, replies };
}

/** The same episode in process, as the wire would carry it (JSON, plus episode_id). */
async function replay(p: Played) {
  const env = new SeigeEnv(await createTarget({ backend: "sim" }));
  const out = [await env.reset({ seed: p.seed, max_ticks: MAX_TICKS, episode_id: p.episodeId })];
  for (const a of p.actions) out.push(await env.step(a));
  return JSON.parse(
    JSON.stringify(
      out.map((r) => ({ ...r, observation: { ...r.observation, episode_id: p.episodeId } })),
    ),
  );
}

describe(`${N} concurrent WebSocket sessions`, () => {
  it("each plays a full episode equal to its in-process replay, and the next connection gets CAPACITY_REACHED", async () => {
    const clients = await Promise.all(
      Array.from({ length: N }, () => connectNode(server.url, { timeoutMs: 30_000 })),
    );
    expect(server.sessions.active).toBe(N);

    const extra = await RawSocket.open(server.url);
    const refusal = JSON.parse((await extra.next())!);
    expect(refusal.data).toMatchObject({
      code: "CAPACITY_REACHED",
      active_sessions: N,
      max_sessions: N,
    });
    expect(await extra.waitClose()).toBe(1000);

    const played = await Promise.all(clients.map((c, i) => play(c, 1000 + i)));
    for (const p of played) expect(p.replies, `seed ${p.seed}`).toEqual(await replay(p));
    // different seeds gave different episodes (the comparison above is not vacuous)
    const tasks = new Set(played.map((p) => JSON.stringify(p.replies[0].observation.red!.task)));
    expect(tasks.size).toBeGreaterThan(1);

    await Promise.all(clients.map((c) => c.close()));
    for (let i = 0; i < 50 && server.sessions.active > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.sessions.active).toBe(0);
  });
});
