import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run as play } from "../../src/commands/play.js";
import { readArtifact } from "../../src/directions/index.js";
import { createTarget, organismDir, TARGET_BACKENDS } from "../../src/target/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("the organism backend", () => {
  it("is a named backend and points at models/organism in the package root", () => {
    expect(TARGET_BACKENDS).toContain("organism");
    expect(organismDir().replace(/[\\/]+$/, "")).toBe(join(root, "models", "organism"));
  });

  it("loads the shipped files, or says exactly which file is missing", async () => {
    const dir = organismDir();
    const complete = [
      "config.json",
      "model.safetensors",
      "tokenizer.json",
      "directions.safetensors",
    ]
      .map((f) => existsSync(join(dir, f)))
      .every(Boolean);
    if (complete) {
      const target = await createTarget({ backend: "organism", env: {} });
      try {
        expect(target.info.backend).toBe("lens");
        expect(target.info.modelId).toBe("seige-organism");
        expect(target.info.whiteBox).toBe(true);
      } finally {
        await target.close?.();
      }
    } else {
      await expect(createTarget({ backend: "organism", env: {} })).rejects.toMatchObject({
        code: "config_error",
      });
    }
  });

  it("seige play --target picks the backend and rejects an unknown one before playing", async () => {
    await expect(play(["--target", "bogus", "--episodes", "1"])).rejects.toMatchObject({
      code: "config_error",
      message: expect.stringContaining("organism"),
    });
  });
});

// Issue 13, item 4: the shipped artifact's prompt data lets the intent probe read the
// organism (≥ 0.8 held out at its best layer) and every label separate its held-out pairs.
describe("the organism's direction artifact", () => {
  const { metadata } = readArtifact(join(organismDir(), "directions.safetensors"));

  it("was fitted on prompts-v2, with the game's traffic in the clean baseline", () => {
    expect(metadata.dataVersion).toBe("prompts-v2");
    expect(metadata.method.system).toBe("game:seeds 0-7");
    expect(metadata.counts.traffic).toBeGreaterThan(0);
  });

  it("has an intent probe at ≥ 0.8 held-out accuracy at its best layer", () => {
    const best = Math.max(...metadata.accuracies.map((a) => a.test ?? 0));
    expect(best).toBeGreaterThanOrEqual(0.8);
  });

  it("separates every label's held-out pairs at its best layer", () => {
    for (const label of metadata.labels) {
      const row = metadata.separations[label].find((r) => r.layer === metadata.bestLayers[label]);
      expect(row?.heldOut, label).toBe(true);
      expect(row?.separation, label).toBeGreaterThan(0);
      expect(row?.pairAccuracy, label).toBeGreaterThan(0.5);
    }
  });
});
