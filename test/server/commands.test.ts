import { describe, expect, it, vi } from "vitest";
import { run as smoke } from "../../src/commands/smoke.js";
import { startCli } from "../helpers/cli-process.js";

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
    const { child, url, stop } = await startCli(
      ["serve", "--host", "127.0.0.1", "--port", "0"],
      /serving on (http:\/\/[\d.]+:\d+)/,
    );
    try {
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ status: "healthy" });
      expect(await stop()).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
