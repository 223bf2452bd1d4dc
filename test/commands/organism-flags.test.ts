// `seige organism` given flags a user gets wrong: each is one clear line and exit 2,
// before any measurement runs (a bad layer used to surface from deep inside one, after
// its progress line; --n 0 was reported as a bug).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureMain } from "../helpers/cli-process.js";

describe("seige organism's flags", () => {
  it("rejects --n below 1 as a usage error", async () => {
    for (const n of ["0", "-3"]) {
      const r = await captureMain(["organism", `--n=${n}`]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--n must be at least 1, got ${n}`);
      expect(r.err).not.toContain("bug");
    }
  });

  it("rejects a layer the model does not have before measuring anything", async () => {
    const r = await captureMain(["organism", "--layers", "1,9", "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--layers: layer 9 is outside [0, 4) for this model");
    expect(r.out).toBe("");
  });

  it("names --model when the directory is no checkpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seige-not-a-model-"));
    try {
      const r = await captureMain(["organism", "--model", dir]);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(
        `${dir} has no config.json; --model must name a HuggingFace checkpoint directory`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
