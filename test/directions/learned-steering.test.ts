// Learned steering directions in the artifact (issue 18): they round-trip through
// the safetensors file, the kit hands them out, the lens target's `steer` uses
// them (and only `steer`: ablations keep the difference of means), a malformed
// artifact is refused; and on the shipped organism a learned direction raises
// the leak reply's likelihood on held-out prompts more than the difference of
// means at the same calibrated norm.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { steeringObjective } from "../../src/commands/precompute-steering.js";
import {
  artifactKit,
  type DirectionsArtifact,
  learnSteeringSet,
  loadPromptData,
  meanLogProb,
  readArtifact,
  steeringUnit,
  writeArtifact,
} from "../../src/directions/index.js";
import { type LensModel, loadModel } from "../../src/lens/index.js";
import { resolveInterventions } from "../../src/target/lens/interventions.js";
import { organismDir } from "../../src/target/lens/organism.js";
import { Rng } from "../../src/util/rng.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { fitTinyArtifact, writePromptFixture } from "./prompt-fixture.js";

const tiny = new TinyDirs();
let model: LensModel;
let artifact: DirectionsArtifact;

beforeAll(async () => {
  const dir = tiny.checkpoint("llama", { dModel: 32, layers: 2, seed: 11 }).dir;
  model = await loadModel(dir, { threads: 1 });
  artifact = await fitTinyArtifact(model, dir, writePromptFixture(tiny.dir("data")));
});
afterAll(async () => {
  await model?.close();
  tiny.cleanup();
});

function examples(seed: string, n: number) {
  const rng = new Rng(seed);
  const V = model.config.vocabSize;
  return Array.from({ length: n }, () => ({
    prompt: Array.from({ length: 6 }, () => 3 + rng.int(V - 3)),
    completion: [7, 9],
  }));
}

describe("meanLogProb", () => {
  it("is the mean log-likelihood of the completions a whole forward pass gives, with and without a vector", async () => {
    const rng = new Rng("mlp");
    const V = model.config.vocabSize;
    const tokens = (n: number) => Array.from({ length: n }, () => 3 + rng.int(V - 3));
    // Prompts of different lengths and completions of two lengths: padded batches.
    const exs = [4, 7, 5, 9, 6].map((n, i) => ({
      prompt: tokens(n),
      completion: tokens(1 + (i % 2) * 2),
    }));
    const hook = "blocks.0.hook_resid_post";
    const vector = Array.from({ length: model.config.dModel }, () => rng.normal());
    for (const v of [null, vector]) {
      const ivs = v ? [{ kind: "add" as const, hook, vector: v, scale: 1 }] : [];
      let want = 0;
      for (const ex of exs) {
        const seq = [...ex.prompt, ...ex.completion.slice(0, -1)];
        const logits = (await model.runWithHooks(seq, ivs)).logits.data;
        ex.completion.forEach((tok, j) => {
          const row = logits.subarray((ex.prompt.length - 1 + j) * V, (ex.prompt.length + j) * V);
          const max = Math.max(...row);
          const z = row.reduce((a, x) => a + Math.exp(x - max), 0);
          want += row[tok] - max - Math.log(z);
        });
      }
      expect(await meanLogProb(model, exs, hook, v)).toBeCloseTo(want / exs.length, 4);
    }
  });
});

describe("learned steering in the artifact", () => {
  it("round-trips, and the target's steer uses it while ablations keep the library direction", async () => {
    const kit = artifactKit(artifact);
    const res = await learnSteeringSet(
      model,
      kit,
      {
        label: "compliance",
        name: "test",
        completions: "tokens 7, 9",
        train: examples("train", 3),
        test: examples("test", 3),
      },
      { layers: [1], magnitude: 2, steps: 3 },
    );
    expect(res.entry.rows.map((r) => r.layer)).toEqual([1]);
    expect(res.entry.rows[0].norm).toBeCloseTo(2 * steeringUnit(kit, 1), 5);
    const v = res.vectors.get(1)!;
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    const withLearned: DirectionsArtifact = {
      ...artifact,
      metadata: { ...artifact.metadata, learned: [res.entry] },
      learned: new Map([["compliance", res.vectors]]),
    };
    const path = join(tiny.dir("out"), "learned.safetensors");
    writeArtifact(path, withLearned);
    const read = readArtifact(path);
    expect(read.metadata.learned).toEqual([res.entry]);
    expect(Array.from(read.kit.library.learned!("compliance", 1)!)).toEqual(Array.from(v));
    expect(read.kit.library.learned!("compliance", 0)).toBeUndefined();
    expect(read.kit.library.learned!("authority", 1)).toBeUndefined();
    // The library direction is still the difference of means (probes and ablations read it).
    expect(Array.from(read.kit.library.direction("compliance", 1))).toEqual(
      Array.from(artifact.layers.get(1)!.directions.compliance),
    );

    const shape = model.config;
    const [steer] = resolveInterventions(
      [{ kind: "steer", layer: 1, label: "compliance", magnitude: 2 }],
      shape,
      read.kit,
    );
    expect(steer.kind === "add" && steer.vector).toEqual(Array.from(v));
    const [plain] = resolveInterventions(
      [{ kind: "steer", layer: 0, label: "compliance", magnitude: 2 }],
      shape,
      read.kit,
    );
    expect(plain.kind === "add" && plain.vector).toEqual(
      Array.from(artifact.layers.get(0)!.directions.compliance),
    );
    const [po] = resolveInterventions(
      [{ kind: "project_out", layers: [1, 1], label: "compliance" }],
      shape,
      read.kit,
    );
    expect(po.kind === "project_out" && po.direction[0]).toBeCloseTo(
      artifact.layers.get(1)!.directions.compliance[0],
      5,
    );

    // Metadata that names a learned vector the file does not hold is refused on write.
    expect(() =>
      writeArtifact(join(tiny.dir("out"), "bad.safetensors"), {
        ...withLearned,
        learned: undefined,
      }),
    ).toThrow(/learned "compliance" vector at layer 1/);
  });

  it("refuses bad learning options and unknown labels", async () => {
    const kit = artifactKit(artifact);
    const obj = {
      label: "compliance",
      name: "t",
      completions: "",
      train: examples("a", 1),
      test: examples("b", 1),
    };
    await expect(learnSteeringSet(model, kit, obj, { layers: [0], steps: 0 })).rejects.toThrow(
      /steps/,
    );
    await expect(
      learnSteeringSet(model, kit, { ...obj, label: "nope" }, { layers: [0] }),
    ).rejects.toThrow(/no "nope"/);
    await expect(
      learnSteeringSet(model, kit, { ...obj, test: [] }, { layers: [0] }),
    ).rejects.toThrow(/held-out/);
  });
});

describe("learned steering on the shipped organism", () => {
  it("raises the leak reply's held-out likelihood more than difference of means at the same norm", async () => {
    const dir = organismDir();
    const organism = await loadModel(dir, { threads: 1 });
    try {
      const { kit } = readArtifact(join(dir, "directions.safetensors"));
      const objective = steeringObjective(organism, loadPromptData(), "compliance", "leak", 6);
      const res = await learnSteeringSet(organism, kit, objective, {
        layers: [2],
        magnitude: 3,
        steps: 8,
      });
      const [row] = res.entry.rows;
      expect(row.train.end).toBeLessThan(row.train.start);
      expect(row.heldOut.learned).toBeGreaterThan(row.heldOut.meanDiff);
      expect(row.cosine).toBeLessThan(0.999);
    } finally {
      await organism.close();
    }
  });
});
