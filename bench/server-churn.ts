/**
 * Does the server leak when clients come and go? (issue 11, item 9.) Runs
 * open → reset → step → drop cycles against an in-process server with the
 * sim target — /ws with a close frame, /ws dropped abruptly, and HTTP episodes
 * of one owner — and prints the server process's heap after a full GC and its
 * RSS every `--every` cycles. A leak grows the post-GC heap with the number of
 * cycles; garbage that is merely not yet collected does not survive `gc()`.
 * The client runs in the same process; its objects are garbage after each
 * cycle too, so a steady post-GC heap clears both.
 *
 *   node --expose-gc --import tsx bench/server-churn.ts --cycles 10000 --every 2000
 */
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { SeigeEnv } from "../src/env/index.js";
import { startServer } from "../src/server/index.js";
import { createTarget } from "../src/target/index.js";
import { benchHeader } from "./env-info.js";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "10000" },
    every: { type: "string", default: "2000" },
  },
});
const cycles = Number(values.cycles);
const every = Number(values.every);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (see the header of this file)");

const RED = { agent_type: "red", strategy: "persona_manipulation", payload: "hello" };
const target = await createTarget({ backend: "sim" });
const server = await startServer({ createEnv: () => new SeigeEnv(target), port: 0 });
const wsUrl = `${server.url.replace("http://", "ws://")}/ws`;

/** One /ws session: reset, one step, then a close frame or an abrupt drop. */
function wsCycle(i: number, abrupt: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    let replies = 0;
    ws.on("error", reject);
    ws.on("close", () => resolve());
    ws.on("open", () =>
      ws.send(JSON.stringify({ type: "reset", data: { seed: i, max_ticks: 3 } })),
    );
    ws.on("message", () => {
      replies++;
      if (replies === 1) ws.send(JSON.stringify({ type: "step", data: RED }));
      else if (abrupt) ws.terminate();
      else ws.send('{"type":"close"}');
    });
  });
}

let token = "";
/** One HTTP episode of the same owner: reset (the pool evicts its oldest) and one step. */
async function httpCycle(i: number): Promise<void> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const json = { "content-type": "application/json", ...auth };
  const r = (await (
    await fetch(`${server.url}/reset`, { method: "POST", headers: json, body: `{"seed":${i}}` })
  ).json()) as { owner_token: string; observation: { episode_id: string } };
  token = r.owner_token;
  const step = JSON.stringify({ action: RED, episode_id: r.observation.episode_id });
  const s = await fetch(`${server.url}/step`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: step,
  });
  if (s.status !== 200) throw new Error(`step answered ${s.status}`);
}

const mib = (n: number) => (n / 2 ** 20).toFixed(1);
function sample(done: number): void {
  gc!();
  gc!();
  const m = process.memoryUsage();
  console.log(
    `${String(done).padEnd(8)} ${mib(m.heapUsed).padEnd(14)} ${mib(m.rss).padEnd(8)} ${String(server.sessions.active).padEnd(6)} ${server.sessions.httpEpisodes}`,
  );
}

console.log(
  benchHeader(
    `node --expose-gc --import tsx bench/server-churn.ts --cycles ${cycles} --every ${every}`,
    {
      backend: "sim",
      transport: "in-process server; /ws (close frame | abrupt drop) and HTTP cycles in turn",
    },
  ),
);
console.log("cycles   heap MiB (gc)  RSS MiB  ws     http episodes");
sample(0);
for (let i = 1; i <= cycles; i++) {
  const kind = i % 3;
  if (kind === 0) await httpCycle(i);
  else await wsCycle(i, kind === 2);
  if (i % every === 0) {
    // let the server see the last closes before counting what is left
    await new Promise((r) => setTimeout(r, 50));
    sample(i);
  }
}
await server.close();
