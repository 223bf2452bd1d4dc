/**
 * Rollout throughput as a trainer sees it (issue 8): N concurrent /ws sessions (1, 16, 64)
 * each play whole episodes in single-agent mode (the client plays Red with the scripted
 * `steer` policy, the env plays Blue with `scripted:probe-threshold` inside), against a server
 * in a child process; prints episodes/s, steps/s and the p50/p99 episode time. Then the
 * latency of `reset` and of one tool call as TRL sees it: `training/bench_tool_call.py`
 * drives `SeigeRedEnv` from Python (SEIGE_PYTHON or /usr/bin/python3, with websocket-client).
 * Bounded: each level runs for --seconds, then the server is stopped.
 *
 *   npx tsx bench/rollout.ts [--sessions 1,16,64] [--seconds 5] [--max-ticks 10] [--calls 300]
 *
 * What it does not measure: generation. With TRL the policy's own sampling dominates; these
 * numbers say how little of a training step the environment takes.
 */
import { spawn, spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import type { Action, RedView } from "../src/arena/schema.js";
import { connectNode } from "../src/client/node.js";
import { hash32 } from "../src/util/rng.js";
import { benchHeader } from "./env-info.js";
import { percentile, ROOT, startServerProcess } from "./server-process.js";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "1,16,64" },
    seconds: { type: "string", default: "5" },
    "max-ticks": { type: "string", default: "10" },
    calls: { type: "string", default: "300" },
  },
});
const levels = values.sessions!.split(",").map(Number);
const seconds = Number(values.seconds);
const maxTicks = Number(values["max-ticks"]);
const calls = Number(values.calls);
const PYTHON = process.env.SEIGE_PYTHON ?? "/usr/bin/python3";

/** One session: whole episodes until the deadline; returns [episodes, steps]. */
async function session(
  url: string,
  index: number,
  deadline: number,
  episodeMs: number[],
): Promise<[number, number]> {
  const c = await connectNode(url, { timeoutMs: 60_000 });
  const red = resolvePolicy("red", "steer");
  let episodes = 0;
  let steps = 0;
  for (let ep = 0; performance.now() < deadline; ep++) {
    const seed = index * 100_000 + ep;
    const t0 = performance.now();
    red.reset(hash32(`red/${seed}`));
    let r = await c.reset({
      seed,
      max_ticks: maxTicks,
      role: "red",
      opponent: "scripted:probe-threshold",
    });
    while (!r.done) {
      r = await c.step((await red.act(r.observation.red as RedView)) as Action);
      steps++;
    }
    episodeMs.push(performance.now() - t0);
    episodes++;
  }
  await c.close();
  return [episodes, steps];
}

console.log(
  benchHeader(
    `npx tsx bench/rollout.ts --sessions ${values.sessions} --seconds ${seconds} --max-ticks ${maxTicks} --calls ${calls}`,
    {
      backend: "sim",
      transport: "WebSocket /ws over loopback, server in a child process",
      policies: "client red steer; env blue scripted:probe-threshold",
    },
  ),
);
console.log("sessions  episodes  seconds  episodes/s  steps/s  episode p50 ms  episode p99 ms");
for (const n of levels) {
  const server = await startServerProcess(Math.max(n, 1));
  try {
    const episodeMs: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => session(server.url, i, deadline, episodeMs)),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const episodes = results.reduce((a, [e]) => a + e, 0);
    const steps = results.reduce((a, [, s]) => a + s, 0);
    console.log(
      `${String(n).padEnd(9)} ${String(episodes).padEnd(9)} ${elapsed.toFixed(2).padEnd(8)} ` +
        `${(episodes / elapsed).toFixed(1).padEnd(11)} ${(steps / elapsed).toFixed(0).padEnd(8)} ` +
        `${percentile(episodeMs, 50).toFixed(1).padEnd(15)} ${percentile(episodeMs, 99).toFixed(1)}`,
    );
  } finally {
    await server.stop();
  }
}

// One tool call as TRL sees it: Python, SeigeRedEnv, sync, one session.
const server = await startServerProcess(4);
try {
  const py = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      PYTHON,
      [
        "training/bench_tool_call.py",
        "--env-url",
        server.url,
        "--calls",
        String(calls),
        "--max-ticks",
        String(maxTicks),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", (e) => resolve({ code: -1, out: String(e) }));
    child.on("close", (code) => resolve({ code, out }));
  });
  if (py.code !== 0) {
    const hint = spawnSync(PYTHON, ["-c", "import websocket"]).status
      ? ` (${PYTHON} cannot import websocket: apt-get install python3-websocket, or set SEIGE_PYTHON)`
      : "";
    console.log(`\nTRL-side latency: not measured${hint}\n${py.out}`);
  } else {
    const r = JSON.parse(py.out.trim().split("\n").at(-1)!);
    console.log(`\nTRL-side latency (Python ${r.python}, SeigeRedEnv over /ws, one session)`);
    console.log("call            n     p50 ms  p99 ms  mean ms");
    for (const [name, s] of [
      ["reset(**row)", r.reset_ms],
      ["tool call", r.tool_call_ms],
    ] as const) {
      console.log(
        `${name.padEnd(15)} ${String(s.n).padEnd(5)} ${s.p50.toFixed(2).padEnd(7)} ${s.p99.toFixed(2).padEnd(7)} ${s.mean.toFixed(2)}`,
      );
    }
  }
} finally {
  await server.stop();
}
