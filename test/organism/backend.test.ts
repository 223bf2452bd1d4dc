import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run as play } from "../../src/commands/play.js";
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
