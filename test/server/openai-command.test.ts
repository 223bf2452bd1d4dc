import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";
import { makeTinyCheckpoint } from "../../src/lens/tiny.js";
import { chatCompletion, listModels } from "../../src/util/openai.js";
import { startCli } from "../helpers/cli-process.js";

const scratch = mkdtempSync(join(tmpdir(), "seige-lens-serve-cmd-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("seige lens serve", () => {
  it("serves a checkpoint under its directory name and stops cleanly on SIGTERM", async () => {
    const dir = join(scratch, "tiny-llama");
    makeTinyCheckpoint({ arch: "llama", outDir: dir, seed: 1, maxPositions: 512 });
    const { child, url, stop } = await startCli(
      ["lens", "serve", "--model", dir, "--port", "0", "--threads", "1"],
      /on (http:\/\/[\d.]+:\d+)\/v1/,
    );
    try {
      expect(await listModels(url)).toEqual(["tiny-llama"]);
      const r = await chatCompletion({
        baseUrl: `${url}/v1`,
        model: "tiny-llama",
        messages: [{ role: "user", content: "hi" }],
        maxTokens: 5,
        seed: 1,
      });
      expect(r.usage?.completionTokens).toBeGreaterThan(0);
      expect(await stop()).toBe(0);
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
