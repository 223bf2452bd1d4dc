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
  it("shuts down cleanly on a SIGTERM sent the moment it says it is up", async () => {
    // A supervisor acts on the line at once. While the handler was installed after the
    // line, such a SIGTERM often met the default action: a killed process, no shutdown.
    for (let i = 0; i < 4; i++) {
      const { child, stop } = await startCli(["serve", "--port", "0"], /(serving on)/);
      try {
        expect(await stop()).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    }
  });

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
