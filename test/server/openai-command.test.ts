// `seige lens serve` as a command: a child process running the CLI on a tiny
// checkpoint made by the test, on 127.0.0.1 and a free port; it answers
// /v1/models and a chat completion and exits 0 on SIGTERM. Bad flags exit 2.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";
import { makeTinyCheckpoint } from "../../src/lens/tiny.js";
import { chatCompletion, listModels } from "../../src/util/openai.js";

const ROOT = join(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "seige-lens-serve-cmd-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("seige lens serve", () => {
  it("serves a checkpoint under its directory name and stops cleanly on SIGTERM", async () => {
    const dir = join(scratch, "tiny-llama");
    makeTinyCheckpoint({ arch: "llama", outDir: dir, seed: 1, maxPositions: 512 });
    const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(["lens", "serve", "--model", ${JSON.stringify(dir)}, "--port", "0", "--threads", "1"]);`;
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
          const m = /on (http:\/\/[\d.]+:\d+)\/v1/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      expect(await listModels(url)).toEqual(["tiny-llama"]);
      const r = await chatCompletion({
        baseUrl: `${url}/v1`,
        model: "tiny-llama",
        messages: [{ role: "user", content: "hi" }],
        maxTokens: 5,
        seed: 1,
      });
      expect(r.usage?.completionTokens).toBeGreaterThan(0);
      const exit = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);

  it("exits 2 with a usage message without --model, and prints its help", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await main(["lens", "serve"])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toContain("--model");
      expect(await main(["lens", "serve", "--help"])).toBe(0);
      expect(String(out.mock.calls.at(-1)?.[0])).toContain("/v1/chat/completions");
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});
