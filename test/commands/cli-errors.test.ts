// The CLI as a new user meets it when something is wrong: a taken port, an
// output path that cannot be written, a recording that no longer reproduces,
// an error nobody anticipated. Each gets a message that says what happened and
// what to do, and never a raw stack.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError } from "../../src/cli.js";
import { firstDifference, firstTextDifference } from "../../src/util/json-diff.js";
import { captureMain } from "../helpers/cli-process.js";

const ROOT = join(import.meta.dirname, "../..");
const STACK = /\n\s+at .+\(?.*:\d+:\d+\)?/;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "seige-cli-errors-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const runMain = captureMain;

describe("seige serve on a taken port", () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it("says the port is taken, suggests --port, exits 1 without a stack", () => {
    // A child process: serve would otherwise keep the test's own process alive on success.
    const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(["serve", "--host", "127.0.0.1", "--port", "${port}"]);`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, SEIGE_DEBUG: "" },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`port ${port} is already in use`);
    expect(r.stderr).toContain("--port");
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe("output paths are checked before the run", () => {
  it("seige eval --html into a missing folder fails at once and writes nothing", async () => {
    const html = join(work, "missing", "crossplay.html");
    const started = Date.now();
    // Many seeds: were the path checked after the run, this would take minutes.
    const r = await runMain([
      "eval",
      "--red",
      "text",
      "--blue",
      "allow-all",
      "--seeds",
      "0..5000",
      "--html",
      html,
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--html");
    expect(r.err).toContain("does not exist");
    expect(r.out).toBe("");
    expect(existsSync(join(work, "missing"))).toBe(false);
  });

  it("refuses a folder given as the file, for eval, play and rollout alike", async () => {
    for (const args of [
      ["eval", "--red", "text", "--blue", "allow-all", "--seeds", "0..1", "--html", work],
      ["play", "--episodes", "1", "--record", work],
      [
        "rollout",
        "--role",
        "red",
        "--policy",
        "text",
        "--opponent",
        "scripted:allow-all",
        "--seeds",
        "0",
        "--out",
        work,
      ],
    ]) {
      const r = await runMain(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("is a folder");
    }
  });
});

describe("seige replay on a recording that does not reproduce", () => {
  it("names the first differing JSON path and both values there", async () => {
    const file = join(work, "episode.jsonl");
    const played = await runMain([
      "play",
      "--red",
      "text",
      "--blue",
      "allow-all",
      "--episodes",
      "1",
      "--record",
      file,
      "--json",
    ]);
    expect(played.code).toBe(0);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const step = JSON.parse(lines[1]);
    const real = step.result.reward;
    step.result.reward = 12345;
    lines[1] = JSON.stringify(step);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const r = await runMain(["replay", file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("replay MISMATCH at line 2, first difference at $.result.reward");
    expect(r.out).toContain("recorded: 12345");
    expect(r.out).toContain(`replayed: ${JSON.stringify(real)}`);
    const json = await runMain(["replay", file, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).difference).toEqual({
      path: "$.result.reward",
      expected: 12345,
      actual: real,
    });
  });
});

describe("firstDifference", () => {
  it("finds the first differing path in key order, into arrays and missing keys", () => {
    expect(firstDifference({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] })).toBeNull();
    expect(firstDifference({ a: 1, b: [1, 2] }, { b: [1, 3], a: 1 })).toEqual({
      path: "$.b[1]",
      expected: 2,
      actual: 3,
    });
    expect(firstDifference({ x: { "odd key": 1 } }, { x: {} })).toEqual({
      path: '$.x["odd key"]',
      expected: 1,
      actual: undefined,
    });
    expect(firstDifference([1], [1, 2])?.path).toBe("$[1]");
    expect(firstDifference({ a: null }, { a: {} })?.path).toBe("$.a");
    expect(firstTextDifference("{not json", "{}")?.path).toBe("$");
  });
});

describe("the top-level error handler", () => {
  it("shows an unanticipated error as one line with a bug hint, the stack only with SEIGE_DEBUG=1", () => {
    const before = process.env.SEIGE_DEBUG;
    try {
      delete process.env.SEIGE_DEBUG;
      const plain = describeError(new TypeError("x is undefined"));
      expect(plain.code).toBe(1);
      expect(plain.message).toContain("x is undefined");
      expect(plain.message).toContain("SEIGE_DEBUG=1");
      expect(plain.message).not.toMatch(STACK);
      process.env.SEIGE_DEBUG = "1";
      expect(describeError(new TypeError("x is undefined")).message).toMatch(STACK);
    } finally {
      if (before === undefined) delete process.env.SEIGE_DEBUG;
      else process.env.SEIGE_DEBUG = before;
    }
  });

  it("reports an unknown flag as a usage error (exit 2)", async () => {
    const r = await runMain(["play", "--nope"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^seige play: .*--nope/);
  });
});
