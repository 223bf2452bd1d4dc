import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run as play } from "../../src/commands/play.js";
import { readArtifact } from "../../src/directions/index.js";
import { backendOfRecording } from "../../src/target/create.js";
import { createTarget, organismDir, TARGET_BACKENDS } from "../../src/target/index.js";
import { captureMain, startCli } from "../helpers/cli-process.js";

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

  // Issue 13 names the flag: every command that builds a target takes it, not only play.
  it("every command that builds a target takes --target and rejects an unknown one", async () => {
    for (const args of [
      "serve --port 0",
      "smoke",
      "eval --red text --blue allow-all --seeds 0..0 --quiet",
      "rollout --role red --policy text --opponent scripted:allow-all --seeds 0..0 --quiet",
      "audit --quick --quiet",
      `train --role blue --out ${join(tmpdir(), "seige-never-written")} --episodes 16`,
    ].map((line) => line.split(" "))) {
      const r = await captureMain([...args, "--target", "bogus"]);
      expect(r.code, args[0]).not.toBe(0);
      expect(r.out + r.err, args[0]).toContain(
        'unknown target backend "bogus"; --target or SEIGE_TARGET_BACKEND',
      );
    }
  });

  it("seige serve --target organism serves the organism", async () => {
    const {
      child,
      url: target,
      stop,
    } = await startCli(
      ["serve", "--host", "127.0.0.1", "--port", "0", "--target", "organism"],
      /serving on http:\/\/[\d.]+:\d+ \(target ([^,]+),/,
      60_000,
      { ...process.env, SEIGE_TARGET_BACKEND: "sim" },
    );
    try {
      expect(target).toBe("lens/seige-organism");
      expect(await stop()).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("a recording made on the organism replays on it with no flag or variable", async () => {
    const work = mkdtempSync(join(tmpdir(), "seige-organism-replay-"));
    const before = process.env.SEIGE_TARGET_BACKEND;
    delete process.env.SEIGE_TARGET_BACKEND;
    try {
      const file = join(work, "organism.jsonl");
      const played = await captureMain([
        ..."play --target organism --red text --blue allow-all --episodes 1 --quiet".split(" "),
        "--record",
        file,
      ]);
      expect(played.code).toBe(0);
      const r = await captureMain(["replay", file]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toContain("replay ok: 1 episode(s)");
      // Named, the target still wins: the sim cannot replay it, and says which target can.
      const sim = await captureMain(["replay", file, "--target", "sim"]);
      expect(sim.code).toBe(2);
      expect(sim.err).toContain("was played on target lens (seige-organism)");
    } finally {
      if (before === undefined) delete process.env.SEIGE_TARGET_BACKEND;
      else process.env.SEIGE_TARGET_BACKEND = before;
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("replay guesses only targets that need no configuration", () => {
    expect(backendOfRecording({ backend: "sim", model: "seige-sim-v1" })).toBe("sim");
    expect(backendOfRecording({ backend: "lens", model: "seige-organism" })).toBe("organism");
    expect(backendOfRecording({ backend: "lens", model: "llama" })).toBeUndefined();
    expect(backendOfRecording({ backend: "openai", model: "gpt" })).toBeUndefined();
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
