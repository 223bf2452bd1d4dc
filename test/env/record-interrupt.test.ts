// `seige play --record` interrupted (issue 11, item 7): each episode reaches the
// file as soon as it finishes, and SIGINT stops the run between episodes with
// a valid file of the episodes completed, one that `seige replay` reproduces.
// A real child process gets a real SIGINT; before the fix the sim loop never
// yielded, so the file stayed empty until the end and SIGINT left nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecording, replayEpisodes } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";

const ROOT = join(import.meta.dirname, "../..");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "seige-record-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

describe("seige play --record, interrupted", () => {
  it("writes episodes as they finish and leaves a valid, replayable file on SIGINT", async () => {
    const file = join(dir, "run.jsonl");
    const args = ["play", "--episodes", "100000", "--seed", "40", "--record", file, "--json"];
    const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(${JSON.stringify(args)});`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: ROOT,
      env: { ...process.env, SEIGE_TARGET_BACKEND: "sim" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    try {
      // The file grows while the run goes on: episodes are written as they finish.
      const deadline = Date.now() + 30_000;
      while (size(file) < 20_000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(size(file)).toBeGreaterThanOrEqual(20_000);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(stderr).toMatch(/interrupted; .* holds the \d+ episodes completed/);
    const completed = Number(/holds the (\d+) episodes/.exec(stderr)![1]);

    const text = readFileSync(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = parseRecording(text);
    const resets = lines.filter(({ line }) => line.type === "reset");
    expect(resets.length).toBe(completed);
    expect(completed).toBeGreaterThan(0);
    expect(completed).toBeLessThan(100000);
    // Every episode in the file is whole: it ends on a done step.
    lines.forEach(({ line }, i) => {
      const next = lines[i + 1]?.line;
      if (!next || next.type === "reset")
        expect(line.type === "step" && line.result.done).toBe(true);
    });
    const report = await replayEpisodes(await createTarget({ backend: "sim" }), text);
    expect(report).toMatchObject({ ok: true, episodes: completed });
  }, 60_000);
});
