/**
 * The server's throughput and latency beside baselines measured in the same run
 * (issue 16, item 5; docs/server.md, "Throughput"): N concurrent /ws clients play
 * sim episodes against `seige serve` in a child process, then the same N load a
 * bare `ws` echo of a ~1 KB JSON reply; HTTP `/step` clients beside a bare
 * `node:http` server; start-up to the first `/health` 200. It prints ours/echo
 * and ours/bare ratios beside the issue's goals, and the load average, because
 * absolute figures on a shared machine mean little. It optimises nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { resolvePolicy } from "../src/agents/index.js";
import type { Action } from "../src/arena/schema.js";
import { SeigeHttpClient } from "../src/client/http-client.js";
import { connectNode } from "../src/client/node.js";
import { hash32 } from "../src/util/rng.js";
import { type LoadResult, loadEcho, loadHttp, startBareHttp, startEcho } from "./baselines.js";
import { benchHeader } from "./env-info.js";
import { percentile, startServerProcess, timeToHealth } from "./server-process.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1,16,64" },
    seconds: { type: "string", default: "5" },
    "max-steps": { type: "string", default: "20000" },
    "max-ticks": { type: "string", default: "10" },
    "http-clients": { type: "string", default: "16" },
    startups: { type: "string", default: "3" },
    /** seconds of unmeasured play first, so lazy imports and the JIT are not in the figures */
    warmup: { type: "string", default: "1" },
    /** write a CPU profile of each server process into this folder (node --cpu-prof) */
    "server-prof": { type: "string" },
  },
});
const serverArgs = values["server-prof"]
  ? ["--cpu-prof", "--cpu-prof-dir", values["server-prof"]]
  : [];
const httpClients = Number(values["http-clients"]);
const startups = Number(values.startups);
const levels = values.clients!.split(",").map(Number);
const seconds = Number(values.seconds);
const maxSteps = Number(values["max-steps"]);
const maxTicks = Number(values["max-ticks"]);
const warmup = Number(values.warmup);

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

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; NaN elsewhere).
 * The server's CPU per step moves far less with the machine's load than steps/s.
 */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

/** What the play loop needs of a client: the WebSocket one and the HTTP one both fit. */
interface StepClient {
  reset(o: { seed: number; max_ticks: number }): Promise<StepReply>;
  step(a: Action): Promise<StepReply>;
  close?(): Promise<void> | void;
}
// biome-ignore lint/suspicious/noExplicitAny: the observation is read by the policies only
type StepReply = { observation: any; done: boolean };

async function client(
  connect: () => Promise<StepClient>,
  index: number,
  deadline: number,
  latencies: number[],
  firstSeed: number,
): Promise<number> {
  const c = await connect();
  const red = resolvePolicy("red", "steer");
  const blue = resolvePolicy("blue", "probe-threshold");
  let steps = 0;
  for (let ep = 0; performance.now() < deadline && steps < maxSteps; ep++) {
    const seed = firstSeed + index * 100_000 + ep;
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
  await c.close?.();
  return steps;
}

/** One closed-loop run of `n` clients for `seconds`: steps, elapsed and latencies. */
async function play(
  n: number,
  connect: () => Promise<StepClient>,
  forSeconds = seconds,
  /** the warm-up plays other seeds than the measured run, so no cache holds the measured episodes */
  firstSeed = 0,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + forSeconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: n }, (_, i) => client(connect, i, deadline, latencies, firstSeed)),
  );
  const requests = counts.reduce((a, b) => a + b, 0);
  return { requests, seconds: (performance.now() - t0) / 1000, latencies };
}

const rate = (r: LoadResult) => r.requests / r.seconds;
const p99 = (r: LoadResult) => percentile(r.latencies, 99);
const median = (xs: number[]) => percentile(xs, 50);

console.log(
  benchHeader(
    `npx tsx bench/server.ts --clients ${values.clients} --seconds ${seconds} --warmup ${warmup} --max-steps ${maxSteps} --max-ticks ${maxTicks}`,
    {
      backend: "sim",
      transport: "WebSocket /ws over loopback, server in a child process",
      policies: "red steer vs blue probe-threshold",
    },
  ),
);
/** The machine's load (1/5/15 min): these ratios are only comparable at similar load. */
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ");
console.log(`# load average at start: ${load()}`);
const echo = await startEcho();
const bare = await startBareHttp();
console.log(
  "WebSocket /ws (ours) beside a bare `ws` echo of a ~1 KB JSON reply (echo), same clients, same run",
);
console.log(
  "clients  steps    steps/s  p50 ms  p99 ms  srv CPU ms/step  RSS MiB (peak)  echo/s   echo p99  ours/echo  p99 ours/echo  goal",
);
try {
  for (const n of levels) {
    // Room for the warm-up's sessions too: a closed socket's session is freed a moment later.
    const server = await startServerProcess(2 * Math.max(n, 1), undefined, false, serverArgs);
    let ours: LoadResult;
    let rss: { now: string; peak: string };
    let cpuPerStep: number;
    try {
      const connect = () => connectNode(server.url, { timeoutMs: 30_000 });
      if (warmup > 0) await play(n, connect, warmup, 50_000);
      const cpu0 = cpuSeconds(server.pid);
      ours = await play(n, connect);
      cpuPerStep = ((cpuSeconds(server.pid) - cpu0) * 1000) / Math.max(1, ours.requests);
      rss = rssMiB(server.pid);
    } finally {
      await server.stop();
    }
    const base = await loadEcho(echo.port, n, seconds);
    const goal = n === 16 ? "ours/echo >= 0.25" : n === 64 ? "p99 ours/echo <= 3" : "";
    console.log(
      `${String(n).padEnd(8)} ${String(ours.requests).padEnd(8)} ${rate(ours).toFixed(0).padEnd(8)} ` +
        `${percentile(ours.latencies, 50).toFixed(2).padEnd(7)} ${p99(ours).toFixed(2).padEnd(7)} ` +
        `${cpuPerStep.toFixed(3).padEnd(16)} ` +
        `${`${rss.now} (${rss.peak})`.padEnd(15)} ${rate(base).toFixed(0).padEnd(8)} ${p99(base).toFixed(2).padEnd(9)} ` +
        `${(rate(ours) / rate(base)).toFixed(3).padEnd(10)} ${(p99(ours) / p99(base)).toFixed(2).padEnd(14)} ${goal}`,
    );
  }

  // HTTP /step with episode_id and owner token, beside a bare node:http POST of the same reply.
  const server = await startServerProcess(Math.max(httpClients, 1), undefined, false, serverArgs);
  let ours: LoadResult;
  try {
    ours = await play(httpClients, async () => new SeigeHttpClient(server.url));
  } finally {
    await server.stop();
  }
  const base = await loadHttp(`http://127.0.0.1:${bare.port}/step`, httpClients, seconds);
  console.log(
    `\nHTTP POST /step, ${httpClients} clients: ours ${rate(ours).toFixed(0)} req/s (p99 ${p99(ours).toFixed(1)} ms), ` +
      `bare node:http ${rate(base).toFixed(0)} req/s (p99 ${p99(base).toFixed(1)} ms), ` +
      `ours/bare ${(rate(ours) / rate(base)).toFixed(3)}; goal >= 0.3`,
  );
} finally {
  echo.stop();
  bare.stop();
}

// Start-up: spawn of `seige serve` to the first /health 200, from the sources via tsx (as the
// benches run it) and, when dist/ is built (`npm run build`), as installed (bin/seige.js).
const timeStart = async (built: boolean) => (await timeToHealth(built)).seconds;
const hasDist = existsSync(new URL("../dist/cli.js", import.meta.url));
const starts: number[] = [];
const builtStarts: number[] = [];
const bareStarts: number[] = [];
for (let i = 0; i < startups; i++) {
  starts.push(await timeStart(false));
  if (hasDist) builtStarts.push(await timeStart(true));
  const b = await startBareHttp();
  bareStarts.push(b.startS);
  b.stop();
}
const list = (xs: number[]) =>
  `median ${median(xs).toFixed(2)} s [${xs.map((x) => x.toFixed(2)).join(", ")}]`;
console.log(
  `\nstart-up to first /health 200, ${startups} starts: sources via tsx ${list(starts)}; ` +
    `built (bin/seige.js) ${hasDist ? list(builtStarts) : "not measured: run npm run build"}; ` +
    `a bare node:http child to listening ${list(bareStarts)}; goal <= 0.3 s`,
);
console.log(`# load average at end: ${load()}`);
