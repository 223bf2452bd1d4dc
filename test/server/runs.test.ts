// The read-only /runs routes (src/server/http/runs.ts): they list and read the
// runs under the configured folder only, show a run in progress (a half-written
// metrics line is skipped), and refuse names that could leave the folder:
// '..', encoded separators, symlinks leading out, and no folder at all.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import { runName } from "../../src/server/http/runs.js";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";
import { http, type Wire } from "./helpers.js";

let work: string;
let server: RunningServer;
let bare: RunningServer;

const metric = (update: number) =>
  JSON.stringify({ update, episodes: update * 16, seconds: update, mean_return: update / 2 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "seige-runs-"));
  const root = join(work, "runs");
  mkdirSync(join(root, "blue-s2"), { recursive: true });
  writeFileSync(
    join(root, "blue-s2/run.json"),
    JSON.stringify({
      format: "seige-train-run/1",
      role: "blue",
      opponent: "scripted:steer",
      stage: 2,
      episodes: 64,
    }),
  );
  writeFileSync(
    join(root, "blue-s2/metrics.jsonl"),
    `${metric(1)}\n${metric(2)}\n{"update":3,"epi`,
  );
  mkdirSync(join(root, "alt/round-1/red"), { recursive: true });
  writeFileSync(join(root, "alt/round-1/red/metrics.jsonl"), `${metric(1)}\n`);
  writeFileSync(join(root, "alt/round-1/red/policy.json"), '{"format":"seige-learned/1"}\n');
  writeFileSync(join(root, "alt/round-1/red/report.html"), "<p>done</p>\n");
  mkdirSync(join(root, "not-a-run"));
  // outside the root: a run that must never be served
  mkdirSync(join(work, "secret"));
  writeFileSync(join(work, "secret/policy.json"), '{"secret":true}\n');
  writeFileSync(join(work, "secret/metrics.jsonl"), `${metric(9)}\n`);
  symlinkSync(join(work, "secret"), join(root, "link"));
  const target = await createTarget({ backend: "sim" });
  const createEnv = () => new SeigeEnv(target);
  [server, bare] = await Promise.all([
    startServer({ createEnv, runsRoot: root }),
    startServer({ createEnv }),
  ]);
});

afterAll(async () => {
  await server?.close();
  await bare?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("/runs", () => {
  it("lists the run folders inside the root, nested ones included, never through a symlink", async () => {
    const r = await http(server.url, "GET", "/runs");
    expect(r.status).toBe(200);
    const runs = (r.body as Wire).runs;
    expect(runs.map((x: Wire) => x.name)).toEqual(["alt/round-1/red", "blue-s2"]);
    expect(runs[1]).toMatchObject({
      role: "blue",
      episodes: 64,
      episodes_done: 32,
      finished: false,
    });
    expect(runs[0]).toMatchObject({ has_policy: true, finished: true });
  });

  it("serves a run's progress so far, skipping the line being written", async () => {
    const r = await http(server.url, "GET", "/runs/blue-s2/progress");
    expect(r.status).toBe(200);
    const p = r.body as Wire;
    expect(p.metrics.map((m: Wire) => m.update)).toEqual([1, 2]);
    expect(p.run.opponent).toBe("scripted:steer");
    expect(p.has_policy).toBe(false);
    expect(p.finished).toBe(false);
    expect(r.text).not.toContain(work); // no machine paths
  });

  it("serves a finished run's checkpoint and 404s a run without one", async () => {
    const ok = await http(server.url, "GET", "/runs/alt/round-1/red/policy");
    expect(ok.status).toBe(200);
    expect((ok.body as Wire).format).toBe("seige-learned/1");
    const none = await http(server.url, "GET", "/runs/blue-s2/policy");
    expect(none.status).toBe(404);
  });

  it("refuses names that leave the root, and folders that are not runs", async () => {
    for (const path of [
      "/runs/link/policy",
      "/runs/link/progress",
      "/runs/%2e%2e/secret/policy",
      "/runs/alt%2Fround-1%2Fred/policy",
      "/runs/..%2Fsecret/policy",
      "/runs/not-a-run/progress",
      "/runs/blue-s2/metrics.jsonl",
      "/runs/blue-s2",
    ]) {
      const r = await http(server.url, "GET", path);
      expect(r.status, path).toBe(404);
      expect(r.text, path).not.toContain('secret":true');
    }
    expect(runName(["..", "secret"])).toBeNull();
    expect(runName(["a", ".", "b"])).toBeNull();
    expect(runName(["a\0"])).toBeNull();
    expect(runName(["alt", "round-1", "red"])).toBe("alt/round-1/red");
  });

  it("is read-only and answers 404 on a server with no runs folder", async () => {
    expect((await http(server.url, "POST", "/runs", "{}")).status).toBe(405);
    expect((await http(server.url, "DELETE", "/runs/blue-s2/progress")).status).toBe(404);
    expect((await http(bare.url, "GET", "/runs")).status).toBe(404);
    expect((await http(bare.url, "GET", "/runs/blue-s2/progress")).status).toBe(404);
  });
});
