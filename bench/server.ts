import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import type { Action } from "../src/arena/schema.js";
import { connectNode } from "../src/client/node.js";
import { hash32 } from "../src/util/rng.js";
import { benchHeader } from "./env-info.js";
import { percentile, startServerProcess } from "./server-process.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1,16,64" },
    seconds: { type: "string", default: "5" },
    "max-steps": { type: "string", default: "20000" },
    "max-ticks": { type: "string", default: "10" },
  },
});
const levels = values.clients!.split(",").map(Number);
const seconds = Number(values.seconds);
const maxSteps = Number(values["max-steps"]);
const maxTicks = Number(values["max-ticks"]);

function rssMiB(pid: number): { now: string; peak: string } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) =>
      Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { now: (kb("VmRSS") / 1024).toFixed(0), peak: (kb("VmHWM") / 1024).toFixed(0) };
  } catch {
    return { now: "n/a", peak: "n/a" }; // not Linux
  }
}

async function client(
  url: string,
  index: number,
  deadline: number,
  latencies: number[],
): Promise<number> {
  const c = await connectNode(url, { timeoutMs: 30_000 });
  const red = resolvePolicy("red", "steer");
  const blue = resolvePolicy("blue", "probe-threshold");
  let steps = 0;
  for (let ep = 0; performance.now() < deadline && steps < maxSteps; ep++) {
    const seed = index * 100_000 + ep;
    red.reset(hash32(`red/${seed}`));
    blue.reset(hash32(`blue/${seed}`));
    let r = await c.reset({ seed, max_ticks: maxTicks });
    while (!r.done && performance.now() < deadline && steps < maxSteps) {
      const obs = r.observation;
      const action = (
        obs.current_agent === "red" ? await red.act(obs.red!) : await blue.act(obs.blue!)
      ) as Action;
      const t0 = performance.now();
      r = await c.step(action);
      latencies.push(performance.now() - t0);
      steps++;
    }
  }
  await c.close();
  return steps;
}

console.log(
  benchHeader(
    `npx tsx bench/server.ts --clients ${values.clients} --seconds ${seconds} --max-steps ${maxSteps} --max-ticks ${maxTicks}`,
    {
      backend: "sim",
      transport: "WebSocket /ws over loopback, server in a child process",
      policies: "red steer vs blue probe-threshold",
    },
  ),
);
console.log("clients  steps    seconds  steps/s   p50 ms  p99 ms  server RSS MiB (peak)");
for (const n of levels) {
  const server = await startServerProcess(Math.max(n, 1));
  try {
    const latencies: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const steps = (
      await Promise.all(
        Array.from({ length: n }, (_, i) => client(server.url, i, deadline, latencies)),
      )
    ).reduce((a, b) => a + b, 0);
    const elapsed = (performance.now() - t0) / 1000;
    const rss = rssMiB(server.pid);
    console.log(
      `${String(n).padEnd(8)} ${String(steps).padEnd(8)} ${elapsed.toFixed(2).padEnd(8)} ${(steps / elapsed).toFixed(0).padEnd(9)} ` +
        `${percentile(latencies, 50).toFixed(2).padEnd(7)} ${percentile(latencies, 99).toFixed(2).padEnd(7)} ${rss.now} (${rss.peak})`,
    );
  } finally {
    await server.stop();
  }
}
