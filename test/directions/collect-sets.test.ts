import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIRECTION_LABELS } from "../../src/arena/schema.js";
import { type ActivationSource, collectSets, loadPromptData } from "../../src/directions/index.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { writePromptFixture } from "./prompt-fixture.js";

const tmp = new TinyDirs();
afterAll(() => tmp.cleanup());

/** A fake source whose activation is [text index, context group, layer]. */
function recordingSource(): ActivationSource {
  return {
    nLayers: 3,
    dModel: 3,
    async activations(texts, layers, onEach, groups) {
      onEach?.(texts.length);
      return layers.map((l) => texts.map((_, k) => Float32Array.from([k, groups?.[k] ?? -1, l])));
    },
  };
}

describe("collectSets", () => {
  it("reads both members of a pair in the same context group, and every other text in its own", async () => {
    const data = loadPromptData(writePromptFixture(tmp.dir("d"), { pairsTrain: 3, pairsTest: 2 }));
    const sets = await collectSets(recordingSource(), data, [0, 2]);
    const seen = new Set<number>();
    for (const label of sets.labels) {
      const p = sets.pairs[label][1];
      p.trainPos.forEach((x, k) => {
        expect(p.trainNeg[k][1]).toBe(x[1]);
        expect(p.trainNeg[k][0]).toBe(x[0] + 1);
        expect(x[2]).toBe(2); // layer index 1 is model layer 2
        expect(seen.has(x[1])).toBe(false);
        seen.add(x[1]);
      });
      expect(p.testPos).toHaveLength(2);
    }
    const singles = [...sets.intentTrain[0].x, ...sets.intentTest[0].x, ...sets.benign[0]].map(
      (x) => x[1],
    );
    expect(new Set(singles).size).toBe(singles.length);
    for (const g of singles) expect(seen.has(g)).toBe(false);
    expect(sets.counts.pairs.refusal).toEqual({ train: 3, test: 2 });
  });

  it("orders labels as DIRECTION_LABELS whatever the manifest's order", async () => {
    const dir = writePromptFixture(tmp.dir("d"));
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    m.sets = Object.fromEntries(Object.entries(m.sets).reverse());
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
    expect(Object.keys(loadPromptData(dir).contrastive)[0]).toBe("positivity");
    const sets = await collectSets(recordingSource(), loadPromptData(dir), [0]);
    expect(sets.labels).toEqual([...DIRECTION_LABELS]);
  });

  it("measures a set without held-out pairs on its training pairs and says so", async () => {
    const data = loadPromptData(writePromptFixture(tmp.dir("d"), { pairsTrain: 3, pairsTest: 0 }));
    const sets = await collectSets(recordingSource(), data, [1]);
    expect(sets.heldOutPairs.danger).toBe(false);
    expect(sets.pairs.danger[0].testPos).toEqual(sets.pairs.danger[0].trainPos);
  });
});
