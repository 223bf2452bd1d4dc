/**
 * A `seige serve` in a child process on 127.0.0.1 and a free port, for the
 * benchmarks that measure the server over real sockets (server.ts, rollout.ts):
 * the server's work then runs on its own event loop, as in deployment, not
 * interleaved with the benchmark's clients.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export const ROOT = new URL("..", import.meta.url).pathname;

export interface ServerProcess {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

export async function startServerProcess(
  maxSessions: number,
  startTimeoutMs = 60_000,
  /** run the built package (bin/seige.js over dist/, as installed) instead of the sources via tsx */
  built = false,
  /** extra Node flags for the server, e.g. `--cpu-prof` to profile it under the bench's load */
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const serve = ["serve", "--host", "127.0.0.1", "--port", "0"];
  const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(${JSON.stringify(serve)});`;
  const args = built
    ? [...nodeArgs, "bin/seige.js", ...serve]
    : [...nodeArgs, "--import", "tsx", "--input-type=module", "-e", code];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, SEIGE_MAX_SESSIONS: String(maxSessions), SEIGE_TARGET_BACKEND: "sim" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`server did not start: ${err}`)),
      startTimeoutMs,
    );
    child.stderr!.on("data", (d) => {
      err += d;
      const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return { url, pid: child.pid!, stop };
}

/** The p-th percentile (nearest rank) of `xs`; NaN when empty. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN off Linux. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Spawn of `seige serve` to its first /health 200: wall seconds, and the CPU
 * seconds the server had used by then (a figure the machine's load barely moves).
 */
export async function timeToHealth(built: boolean): Promise<{ seconds: number; cpu: number }> {
  const t0 = performance.now();
  const server = await startServerProcess(1, 60_000, built);
  try {
    for (;;) {
      const ok = await fetch(`${server.url}/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return { seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(server.pid) };
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await server.stop();
  }
}
