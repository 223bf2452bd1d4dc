// `seige rollout` and `seige eval` as the CLI dispatches them: a rollout file on
// disk that parses against the schema, eval's JSON on stdout with an HTML page
// beside it, and usage errors (exit code 2) for missing or bad flags.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRollouts } from "../../src/rollout/index.js";
import { captureMain } from "../helpers/cli-process.js";

const dir = mkdtempSync(join(tmpdir(), "seige-rollout-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = captureMain;

describe("seige rollout and seige eval", () => {
  it("rollout writes one schema-valid line per episode", async () => {
    const file = join(dir, "r.jsonl");
    const r = await capture([
      "rollout",
      "--role",
      "red",
      "--policy",
      "steer",
      "--opponent",
      "scripted:probe-threshold",
      "--seeds",
      "0..2",
      "--group-size",
      "2",
      "--stage",
      "2",
      "--run-id",
      "cli",
      "--out",
      file,
    ]);
    expect(r.code).toBe(0);
    const lines = parseRollouts(readFileSync(file, "utf8"));
    expect(lines.map((l) => l.episode_id)).toEqual([
      "cli/0/0",
      "cli/0/1",
      "cli/1/0",
      "cli/1/1",
      "cli/2/0",
      "cli/2/1",
    ]);
  });

  it("eval prints the matrix as JSON and writes the heatmap page", async () => {
    const html = join(dir, "m.html");
    const r = await capture([
      "eval",
      "--red",
      "text,steer",
      "--blue",
      "probe-threshold",
      "--seeds",
      "0..3",
      "--json",
      "--html",
      html,
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.red).toEqual(["text", "steer"]);
    expect(report.cells.map((row: { episodes: number }[]) => row[0]!.episodes)).toEqual([4, 4]);
    expect(readFileSync(html, "utf8")).toContain("Red win rate");
  });

  it("answers bad usage with exit code 2 and a message", async () => {
    const cases: [string[], RegExp][] = [
      [["rollout", "--role", "green"], /--role must be red or blue/],
      [
        ["rollout", "--role", "red", "--policy", "steer", "--opponent", "none", "--seeds", "0"],
        /needs an opponent/,
      ],
      [
        [
          "rollout",
          "--role",
          "red",
          "--policy",
          "steer",
          "--opponent",
          "scripted:allow-all",
          "--seeds",
          "x",
        ],
        /not a seed/,
      ],
      [["eval", "--red", "steer", "--seeds", "0"], /--blue needs at least one policy/],
    ];
    for (const [argv, why] of cases) {
      const r = await capture(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(why);
    }
  });
});
