/**
 * The baselines bench/server.ts divides by (issue 16, item 5): a bare `ws` echo
 * server that answers every frame with a ~1 KB JSON reply, and a bare
 * `node:http` server that answers every POST with the same reply, each in its
 * own child process (as `seige serve` runs in one), plus the closed-loop
 * drivers that load them the way our clients load the server: N connections,
 * one request in flight each. It measures the floor of the transport on this
 * machine under its current load; it deliberately does no environment work.
 */
import { spawn } from "node:child_process";
import { WebSocket } from "ws";
import { ROOT } from "./server-process.js";

/** About 1 KB of JSON, shaped like an observation reply. */
const REPLY_CODE = `const reply = JSON.stringify({ type: "observation", data: { observation: { text: "x".repeat(900), tick: 3, current_agent: "blue" }, reward: 0, done: false } });`;

const ECHO_CODE = `${REPLY_CODE}
const { WebSocketServer } = await import("ws");
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false }, () => process.stderr.write("listening " + wss.address().port + "\\n"));
wss.on("connection", (ws) => ws.on("message", () => ws.send(reply)));`;

const BARE_HTTP_CODE = `${REPLY_CODE}
const { createServer } = await import("node:http");
const server = createServer((req, res) => { const chunks = []; req.on("data", (c) => chunks.push(c)); req.on("end", () => { JSON.parse(Buffer.concat(chunks).toString() || "{}"); res.writeHead(200, { "content-type": "application/json" }); res.end(reply); }); });
server.listen(0, "127.0.0.1", () => process.stderr.write("listening " + server.address().port + "\\n"));`;

export interface Baseline {
  port: number;
  /** spawn to listening, seconds */
  startS: number;
  pid: number;
  stop: () => void;
}

async function startChild(code: string): Promise<Baseline> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`baseline did not start: ${err}`)), 60_000);
    child.stderr!.on("data", (d) => {
      err += d;
      const m = /listening (\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return {
    port,
    startS: (performance.now() - t0) / 1000,
    pid: child.pid!,
    stop: () => child.kill("SIGTERM"),
  };
}

export const startEcho = () => startChild(ECHO_CODE);
export const startBareHttp = () => startChild(BARE_HTTP_CODE);

/** A step-sized request frame. */
const REQUEST = JSON.stringify({
  type: "step",
  data: { agent_type: "blue", action_type: "monitor" },
});

export interface LoadResult {
  requests: number;
  seconds: number;
  latencies: number[];
}

/** `n` WebSocket connections to the echo, each with one frame in flight, for `seconds`. */
export async function loadEcho(port: number, n: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const one = async (): Promise<number> => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    let count = 0;
    while (performance.now() < deadline) {
      const t = performance.now();
      await new Promise((resolve) => {
        ws.once("message", (m) => resolve(JSON.parse(String(m))));
        ws.send(REQUEST);
      });
      latencies.push(performance.now() - t);
      count++;
    }
    ws.close();
    return count;
  };
  const requests = (await Promise.all(Array.from({ length: n }, one))).reduce((a, b) => a + b, 0);
  return { requests, seconds: (performance.now() - t0) / 1000, latencies };
}

/** `n` HTTP clients posting a step-sized body to `url`, one request in flight each, for `seconds`. */
export async function loadHttp(url: string, n: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const one = async (): Promise<number> => {
    let count = 0;
    while (performance.now() < deadline) {
      const t = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: REQUEST,
      });
      await res.json();
      latencies.push(performance.now() - t);
      count++;
    }
    return count;
  };
  const requests = (await Promise.all(Array.from({ length: n }, one))).reduce((a, b) => a + b, 0);
  return { requests, seconds: (performance.now() - t0) / 1000, latencies };
}
