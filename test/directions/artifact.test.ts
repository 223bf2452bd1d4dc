import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkArtifactModel,
  type DirectionsArtifact,
  lensSource,
  modelHash,
  readArtifact,
  summarizeActivation,
  writeArtifact,
} from "../../src/directions/index.js";
import { type LensModel, loadModel } from "../../src/lens/index.js";
import { writeSafetensors } from "../../src/lens/safetensors.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { fitTinyArtifact, writePromptFixture } from "./prompt-fixture.js";

const tiny = new TinyDirs();
let model: LensModel;
let dir: string;
let artifact: DirectionsArtifact;

beforeAll(async () => {
  dir = tiny.checkpoint("llama", { dModel: 32, layers: 2, seed: 11 }).dir;
  model = await loadModel(dir, { threads: 1 });
  artifact = await fitTinyArtifact(model, dir, writePromptFixture(tiny.dir("data")));
});
afterAll(async () => {
  await model?.close();
  tiny.cleanup();
});

describe("direction artifact", () => {
  it("round-trips every tensor and the metadata through one safetensors file", () => {
    const path = join(tiny.dir("out"), "directions.safetensors");
    writeArtifact(path, artifact);
    const { kit, metadata } = readArtifact(path);
    expect(metadata).toEqual(artifact.metadata);
    for (const l of [0, 1]) {
      const e = artifact.layers.get(l)!;
      for (const label of metadata.labels)
        expect(Array.from(kit.library.direction(label, l))).toEqual(
          Array.from(e.directions[label]),
        );
      expect(kit.library.typicalNorm(l)).toBeCloseTo(e.typicalNorm, 5);
      expect(Array.from(kit.baseline.mean[l])).toEqual(Array.from(e.mean));
      expect(Array.from(kit.baseline.variance[l])).toEqual(Array.from(e.variance));
      expect(Array.from(kit.probe.weights[l][3])).toEqual(Array.from(e.probeWeights[3]));
      expect(kit.probe.bias[l][2]).toBeCloseTo(e.probeBias[2], 5);
    }
    // The header holds the JSON metadata under __metadata__, as safetensors readers expect.
    const buf = readFileSync(path);
    const header = JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString("utf8"));
    expect(header.__metadata__.format).toBe("seige-directions");
    expect(JSON.parse(header.__metadata__.seige).modelHash).toBe(modelHash(dir));
    expect(header["directions.refusal"].shape).toEqual([2, 32]);
    expect(header["probe.weights"].shape).toEqual([2, 4, 32]);
  });

  it("holds unit directions, positive variances and honest accuracies", () => {
    for (const [, e] of artifact.layers) {
      for (const v of Object.values(e.directions)) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      expect(Math.min(...e.variance)).toBeGreaterThan(0);
      expect(e.typicalNorm).toBeGreaterThan(0);
    }
    expect(artifact.metadata.accuracies.map((a) => a.layer)).toEqual([0, 1]);
    for (const a of artifact.metadata.accuracies) expect(a.test).not.toBeNull();
    expect(Object.keys(artifact.metadata.bestLayers).sort()).toEqual(
      [...artifact.metadata.labels].sort(),
    );
  });

  it("gives a kit that summarizeActivation accepts", async () => {
    const path = join(tiny.dir("out"), "a.safetensors");
    writeArtifact(path, artifact);
    const { kit } = readArtifact(path);
    const [[x]] = await lensSource(model).activations(["What is the weather like?"], [1]);
    const s = summarizeActivation(x, 1, kit);
    expect(s.layer).toBe(1);
    expect(Object.keys(s.cosines)).toEqual(kit.library.labels);
    expect(s.intent.confidence).toBeGreaterThan(0);
  });

  it("matches its model by hash, ignoring itself in the model directory, and refuses another model", () => {
    const h = modelHash(dir);
    writeArtifact(join(dir, "directions.safetensors"), artifact);
    expect(modelHash(dir)).toBe(h);
    expect(() =>
      checkArtifactModel(artifact.metadata, dir, { nLayers: 2, dModel: 32 }),
    ).not.toThrow();
    const other = tiny.checkpoint("llama", { dModel: 32, layers: 2, seed: 12 }).dir;
    // Same config and layout, different random weights: a different model.
    expect(readFileSync(join(other, "config.json"), "utf8")).toBe(
      readFileSync(join(dir, "config.json"), "utf8"),
    );
    expect(modelHash(other)).not.toBe(h);
    expect(() => checkArtifactModel(artifact.metadata, other)).toThrow(/seige precompute --model/);
  });

  it("detects a changed config or a different layout as a different model", () => {
    const copy = tiny.dir("copy");
    for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(dir, f), join(copy, f));
    expect(modelHash(copy)).toBe(modelHash(dir));
    const cfg = JSON.parse(readFileSync(join(copy, "config.json"), "utf8"));
    cfg.rope_theta = 1234;
    writeFileSync(join(copy, "config.json"), JSON.stringify(cfg));
    expect(() => checkArtifactModel(artifact.metadata, copy)).toThrow(
      /computed for model sha256:.*seige precompute/,
    );
    expect(() => checkArtifactModel(artifact.metadata, dir, { nLayers: 3, dModel: 32 })).toThrow(
      /layers/,
    );
  });

  it("rejects a safetensors file that is not an artifact, with a message naming the fix", () => {
    const path = join(tiny.dir("x"), "plain.safetensors");
    writeSafetensors(path, [{ name: "w", shape: [2], data: Float32Array.from([1, 2]) }], "f32");
    expect(() => readArtifact(path)).toThrow(/seige precompute/);
    expect(() => readArtifact(join(tiny.root, "missing.safetensors"))).toThrow(/no such/);
  });

  it("covers only the computed layers and says how to fix a read of another one", () => {
    const partial: DirectionsArtifact = {
      metadata: {
        ...artifact.metadata,
        layers: [1],
        accuracies: artifact.metadata.accuracies.slice(1),
      },
      layers: new Map([[1, artifact.layers.get(1)!]]),
    };
    const path = join(tiny.dir("p"), "p.safetensors");
    writeArtifact(path, partial);
    const { kit } = readArtifact(path);
    expect(kit.library.nLayers).toBe(2);
    expect(Array.from(kit.baseline.mean[1])).toEqual(Array.from(artifact.layers.get(1)!.mean));
    expect(() => kit.library.direction("refusal", 0)).toThrow(/--layers including 0/);
    expect(() => kit.baseline.mean[0]).toThrow(/--layers/);
    expect(existsSync(path)).toBe(true);
  });
});
