/**
 * The Python side of training (training/, TRL's `environment_factory` shape) against a real
 * `seige serve` on 127.0.0.1: this starts the server in process and runs
 * `python3 -m unittest discover training/tests` with its URL in SEIGE_TEST_ENV_URL, so the
 * Python tests drive SeigeRedEnv / SeigeBlueEnv exactly as TRL would (G instances, shared
 * seeds, tool calls, get_reward). The interpreter is SEIGE_PYTHON or Debian's /usr/bin/python3
 * with `python3-websocket` (the python3 first on PATH may not see Debian's packages).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PYTHON = process.env.SEIGE_PYTHON ?? "/usr/bin/python3";

let server: RunningServer;
// For training/tests/test_session_lost.py: a 1 s idle timeout, and a single session.
let idle: RunningServer;
let small: RunningServer;
beforeAll(async () => {
  const target = await createTarget({ backend: "sim" });
  const start = (limits: Parameters<typeof startServer>[0]["limits"]) =>
    startServer({ createEnv: () => new SeigeEnv(target), host: "127.0.0.1", port: 0, limits });
  [server, idle, small] = await Promise.all([
    start({ maxSessions: 64 }),
    start({ idleTimeoutMs: 1000 }),
    start({ maxSessions: 1 }),
  ]);
});
afterAll(() => Promise.all([server?.close(), idle?.close(), small?.close()]));

/** Runs Python without blocking this process's event loop, which is serving its requests. */
function python(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(PYTHON, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("training/ (Python) against seige serve", () => {
  it("has an interpreter that can import websocket-client", () => {
    expect(existsSync(PYTHON), `no Python at ${PYTHON}: set SEIGE_PYTHON`).toBe(true);
    const probe = spawnSync(PYTHON, ["-c", "import websocket"], { encoding: "utf8" });
    expect(
      probe.status,
      `${PYTHON} cannot import websocket: install Debian's python3-websocket (apt-get install python3-websocket) or set SEIGE_PYTHON to an interpreter with websocket-client\n${probe.stderr}`,
    ).toBe(0);
  });

  it("passes the unittest suite in training/tests, none of it skipped", async () => {
    const { code, out } = await python(
      ["-W", "error::ResourceWarning", "-m", "unittest", "discover", "-s", "training/tests", "-v"],
      {
        SEIGE_TEST_ENV_URL: server.url,
        SEIGE_TEST_IDLE_URL: idle.url,
        SEIGE_TEST_SMALL_URL: small.url,
        SEIGE_TEST_NODE: process.execPath,
      },
    );
    expect(code, out).toBe(0);
    const ran = Number(/Ran (\d+) tests?/.exec(out)?.[1] ?? 0);
    expect(ran, out).toBeGreaterThanOrEqual(30);
    // The server-backed tests skip only without SEIGE_TEST_ENV_URL; here they must all run.
    expect(out).not.toMatch(/skipped 'no seige server/);
    expect(out).toMatch(/test_an_idle_timeout_says_so.* \.\.\. ok/);
  }, 180_000);
});
