// `seige lens grad` through the dispatcher's main(): JSON shape and values
// against model.grad, the probe file, and usage errors (exit code 2).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../../src/lens/checkpoint.js";
import { fromTensors } from "../../../src/lens/model.js";
import { runCli } from "../../helpers/cli-main.js";
import { maxAbsDiff, removeFixtures, tinyDir } from "../ort-fixtures.js";

const root = mkdtempSync(join(tmpdir(), "seige-lens-grad-cli-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeFixtures();
});

const cli = runCli;

describe("seige lens grad", () => {
  const dir = tinyDir("qwen3");
  const grad = (...args: string[]) => cli("lens", "grad", "--model", dir, ...args);

  it("--json prints the loss and one row per position for each --wrt, equal to model.grad", async () => {
    const r = await grad(
      "--tokens",
      "1,2,3",
      "--loss",
      "ce:4,5",
      "--wrt",
      "embed,blocks.1.hook_resid_pre",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tokens).toEqual([1, 2, 3, 4]);
    expect(Object.keys(j.grads)).toEqual(["embed", "blocks.1.hook_resid_pre"]);
    expect(j.grads.embed).toHaveLength(4);
    const ck = loadCheckpoint(dir);
    expect(j.grads.embed[0]).toHaveLength(ck.config.dModel);
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      const res = await model.grad([1, 2, 3], { kind: "ce", target: [4, 5] }, { wrt: ["embed"] });
      expect(j.loss).toBeCloseTo(res.loss, 5);
      expect(maxAbsDiff(j.grads.embed.flat(), res.grads.get("hook_embed")!.data)).toBeLessThan(
        1e-6,
      );
    } finally {
      await model.close();
    }
  });

  it("reads a probe file and a logit difference", async () => {
    const d = loadCheckpoint(dir).config.dModel;
    const file = join(root, "probe.json");
    writeFileSync(
      file,
      JSON.stringify({ hook: "blocks.0.hook_resid_post", weight: Array(d).fill(0.1) }),
    );
    const p = await grad("--tokens", "7,8", "--loss", `probe:${file}`, "--wrt", "embed", "--json");
    expect(p.code, p.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(p.stdout).loss)).toBe(true);
    const l = await grad(
      "--tokens",
      "7,8",
      "--loss",
      "logit-diff:3,4",
      "--wrt",
      "blocks.0.hook_mlp_out",
    );
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/blocks\.0\.hook_mlp_out: \[2, /);
  });

  it("bad flags are usage errors (exit 2)", async () => {
    const base = ["lens", "grad", "--model", dir, "--tokens", "1,2"];
    expect((await cli(...base, "--loss", "mse:1", "--wrt", "embed")).code).toBe(2);
    expect((await cli(...base, "--loss", "logit-diff:1", "--wrt", "embed")).code).toBe(2);
    expect((await cli(...base, "--loss", "ce:1", "--wrt", "blocks.7.hook_resid_pre")).code).toBe(2);
    expect(
      (await cli(...base, "--loss", `probe:${join(root, "missing.json")}`, "--wrt", "embed")).code,
    ).toBe(2);
    expect((await cli(...base, "--loss", "ce:1")).code).toBe(2);
  });
});
