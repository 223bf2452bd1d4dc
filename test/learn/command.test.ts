// `seige train` as the CLI dispatches it: a short run writes the checkpoint,
// one metrics line per update, the report with its SVG charts and the held-out
// cross-play with the learned policy in it; the folder then works as
// `learned:DIR` in `seige eval`; bad flags are usage errors (exit code 2).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";

const dir = mkdtempSync(join(tmpdir(), "seige-train-cli-"));
const out = join(dir, "red");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let written: string[] = [];
let stdout: string[] = [];
const keep = (s: unknown) => {
  written.push(String(s));
  return true;
};
beforeAll(() => {
  vi.spyOn(process.stderr, "write").mockImplementation(keep);
  // `--json` commands print their one result object on stdout (progress lines go to stderr).
  vi.spyOn(process.stdout, "write").mockImplementation((s: unknown) => {
    stdout.push(String(s));
    return keep(s);
  });
});
afterAll(() => vi.restoreAllMocks());

describe("seige train", () => {
  it("trains, reports and evaluates on held-out seeds", async () => {
    const argv = ["train", "--role", "red", "--opponent", "scripted:allow-all", "--stage", "1"];
    const flags = ["--episodes", "32", "--eval-seeds", "1000..1002", "--out", out];
    expect(await main([...argv, ...flags])).toBe(0);
    for (const f of [
      "policy.json",
      "metrics.jsonl",
      "report.html",
      "return.svg",
      "crossplay.json",
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(metrics.map((l) => JSON.parse(l).episodes)).toEqual([16, 32]);
    const report = readFileSync(join(out, "report.html"), "utf8");
    expect(report.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    const cross = JSON.parse(readFileSync(join(out, "crossplay.json"), "utf8"));
    expect(cross.red[0]).toBe(`learned:${out}`);
    expect(cross.seeds).toEqual([1000, 1001, 1002]);
    expect(written.join("")).toMatch(/32\/32 episodes/);
    written = [];
    stdout = [];
    const spec = `learned:${out}`;
    expect(
      await main(["eval", "--red", spec, "--blue", "allow-all", "--seeds", "1000..1001", "--json"]),
    ).toBe(0);
    expect(
      JSON.parse(
        stdout
          .join("")
          .split("\n")
          .find((l) => l.startsWith("{")) ?? "{}",
      ).red,
    ).toEqual([spec]);
  }, 60_000);

  it("alternates against the population of earlier policies with --population", async () => {
    const alt = join(dir, "alt");
    const argv = ["train", "--role", "blue", "--opponent", "scripted:steer", "--stage", "2"];
    const flags = ["--episodes", "16", "--eval-seeds", "1000..1001", "--out", alt];
    expect(await main([...argv, ...flags, "--alternate", "2", "--population"])).toBe(0);
    const asked = (leg: string) => JSON.parse(readFileSync(join(alt, leg, "run.json"), "utf8"));
    const learned = (leg: string) => `learned:${join(alt, leg)}`;
    expect(asked("round-1/blue").population).toEqual(["scripted:steer"]);
    expect(asked("round-1/red").population).toEqual([learned("round-1/blue")]);
    expect(asked("round-2/blue").population).toEqual(["scripted:steer", learned("round-1/red")]);
    expect(asked("round-2/red").population).toEqual([
      learned("round-1/blue"),
      learned("round-2/blue"),
    ]);
    // the leg's report still measures against the latest opponent, and its cross-play
    // holds every policy it trained against
    expect(asked("round-2/red").opponent).toBe(learned("round-2/blue"));
    const cross = JSON.parse(readFileSync(join(alt, "round-2/red", "crossplay.json"), "utf8"));
    expect(cross.blue).toEqual(expect.arrayContaining([learned("round-1/blue")]));
    expect(existsSync(join(alt, "alternate.json"))).toBe(true);
  }, 120_000);

  it("trains one leg against --opponent and --mix in turn", async () => {
    const mixed = join(dir, "mixed");
    const argv = [
      "train",
      "--role",
      "blue",
      "--opponent",
      "scripted:steer",
      "--mix",
      "scripted:idle",
    ];
    const flags = ["--episodes", "16", "--eval-seeds", "1000..1001", "--out", mixed];
    expect(await main([...argv, ...flags])).toBe(0);
    const asked = JSON.parse(readFileSync(join(mixed, "run.json"), "utf8"));
    expect(asked.opponent).toBe("scripted:steer");
    expect(asked.population).toEqual(["scripted:steer", "scripted:idle"]);
  }, 60_000);

  it("rejects bad flags with exit code 2 before training", async () => {
    expect(await main(["train", "--role", "blue", "--out", dir, "--population"])).toBe(2);
    expect(
      await main([
        "train",
        "--role",
        "blue",
        "--out",
        dir,
        "--mix",
        "scripted:idle",
        "--alternate",
        "2",
      ]),
    ).toBe(2);
    expect(await main(["train", "--role", "blue", "--out", dir, "--mix", "scripted:nope"])).toBe(2);
    expect(await main(["train", "--role", "green", "--out", dir])).toBe(2);
    expect(await main(["train", "--role", "blue"])).toBe(2);
    expect(await main(["train", "--role", "blue", "--out", dir, "--episodes", "0"])).toBe(2);
    expect(
      await main(["train", "--role", "blue", "--out", dir, "--opponent", "scripted:nope"]),
    ).toBe(2);
    expect(
      await main(["train", "--role", "blue", "--out", dir, "--opponent", "learned:nowhere"]),
    ).toBe(2);
    expect(existsSync(join(dir, "policy.json"))).toBe(false);
  });
});
