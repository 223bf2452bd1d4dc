// `seige smoke` and `seige serve` as the CLI runs them (src/commands): smoke
// against its own server and against a dead URL; serve in a child process,
// stopped with SIGTERM.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { run as smoke } from "../../src/commands/smoke.js";

const ROOT = join(import.meta.dirname, "../..");

describe("seige smoke", () => {
  it("passes against a server it starts itself and prints what it saw", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    try {
      expect(await smoke(["--seed", "3"])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = out.join("");
    for (const what of [
      "GET /health",
      "GET /metadata",
      "GET /schema",
      "WS reset",
      "WS step (Red)",
      "WS step (Blue)",
      "WS state",
    ]) {
      expect(text).toContain(`ok  ${what}`);
    }
  });

  it("exits non-zero when the server is unreachable", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await smoke(["--url", "http://127.0.0.1:9", "--timeout-ms", "2000"])).toBe(1);
    } finally {
      err.mockRestore();
    }
  });
});

describe("seige serve", () => {
  it("listens on --port/--host, serves /health and stops cleanly on SIGTERM", async () => {
    const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(["serve", "--host", "127.0.0.1", "--port", "0"]);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 30_000);
        child.stderr.on("data", (d) => {
          err += d;
          const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ status: "healthy" });
      const exit = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
