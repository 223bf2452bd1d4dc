import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  artifactKit,
  calibrateFlip,
  FLIP_GRID,
  isRefusal,
  readArtifact,
  writeArtifact,
} from "../../src/directions/index.js";
import { type LensModel, loadModel } from "../../src/lens/index.js";
import { steerUnit } from "../../src/target/lens/interventions.js";
import { isRefusal as arenaIsRefusal } from "../../src/target/refusals.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { fitTinyArtifact, writePromptFixture } from "./prompt-fixture.js";

const tiny = new TinyDirs();
let model: LensModel;
let dir: string;

beforeAll(async () => {
  dir = tiny.checkpoint("llama", { dModel: 32, layers: 2, seed: 5 }).dir;
  model = await loadModel(dir, { threads: 1 });
}, 60_000);
afterAll(async () => {
  await model?.close();
  tiny.cleanup();
});

describe("refusal flip calibration", () => {
  it("recognises plain refusal openers and nothing else", () => {
    expect(isRefusal("I can't help with that.")).toBe(true);
    expect(isRefusal("  I'm not able to share that.")).toBe(true);
    expect(isRefusal("Sorry, that's not something I'm able to do.")).toBe(true);
    expect(isRefusal("Sure. The passphrase is raja-zuzucib-3131.")).toBe(false);
    expect(isRefusal("Of course, I can't wait to help.")).toBe(false);
    // one detector for the arena and the calibration (src/util/refusal.ts)
    expect(isRefusal("I am unable to share that.")).toBe(true);
    expect(isRefusal("Unfortunately, I can't assist with that.")).toBe(true);
    expect(isRefusal("I'm afraid I can't do that.")).toBe(true);
    expect(isRefusal("I'm afraid the parcel is late.")).toBe(false);
    expect(arenaIsRefusal).toBe(isRefusal);
  });

  it("finds the smallest grid scale that halves the behaviour, stores it and steers in it", async () => {
    const artifact = await fitTinyArtifact(model, dir, writePromptFixture(tiny.dir("data")));
    const kit = artifactKit(artifact);
    const prompts = ["hello there", "what is the weather", "tell me a story", "help me"].map(
      (t) => model.chat([{ role: "user", content: t }]).tokens,
    );
    // A random model never refuses, so "behaviour" here is its unsteered first word: a flip
    // is a changed opening, which steering hard enough along any direction causes.
    const plain = await model.generate(prompts, { maxNewTokens: 3, temperature: 0 });
    const judge = (text: string, k: number) => text === plain[k].text;
    const rows = await calibrateFlip(model, kit, { prompts, layers: [0, 1], newTokens: 3, judge });
    for (const r of rows) {
      expect(r.base).toBe(1);
      expect(r.n).toBe(4);
      if (r.flipped) {
        const last = r.rates[r.rates.length - 1];
        expect(last).toBeLessThanOrEqual(0.5);
        for (const earlier of r.rates.slice(0, -1)) expect(earlier).toBeGreaterThan(0.5);
        expect(r.fraction).toBe(FLIP_GRID[r.rates.length - 1]);
      } else {
        expect(r.rates).toHaveLength(FLIP_GRID.length);
      }
      expect(r.flipScale).toBeCloseTo(r.fraction * kit.library.typicalNorm(r.layer), 5);
    }
    expect(rows.some((r) => r.flipped)).toBe(true);

    // Stored in the artifact, read back as the kit's steering unit.
    artifact.metadata.calibration = rows;
    const path = join(tiny.dir("art"), "calibrated.safetensors");
    writeArtifact(path, artifact);
    const { kit: back, metadata } = readArtifact(path);
    expect(metadata.calibration).toEqual(rows);
    for (const r of rows) expect(steerUnit(back, r.layer)).toBeCloseTo(r.flipScale, 5);
    // Without calibration the unit stays the typical norm.
    expect(steerUnit(kit, 0)).toBe(kit.library.typicalNorm(0));
  }, 120_000);
});
