import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIRECTION_LABELS, INTENT_CLASSES } from "../../src/arena/schema.js";
import { loadPromptData } from "../../src/directions/index.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { writePromptFixture } from "./prompt-fixture.js";

const tmp = new TinyDirs();
afterAll(() => tmp.cleanup());

describe("loadPromptData", () => {
  it("loads a valid directory: every label's pairs, intent examples and the bank", () => {
    const data = loadPromptData(writePromptFixture(tmp.dir("ok"), { pairsTrain: 4, pairsTest: 2 }));
    expect(data.version).toBe("prompts-test");
    expect(Object.keys(data.contrastive).sort()).toEqual([...DIRECTION_LABELS].sort());
    expect(data.contrastive.refusal.filter((p) => p.split === "test")).toHaveLength(2);
    expect(new Set(data.intent.map((r) => r.label))).toEqual(new Set(INTENT_CLASSES));
    expect(data.benign.length).toBe(6);
  });

  it("rejects a file whose counts disagree with the manifest, naming the file", () => {
    const dir = writePromptFixture(tmp.dir("counts"));
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    m.sets.danger.test = 5;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
    expect(() => loadPromptData(dir)).toThrow(/danger\.jsonl.*manifest says/);
  });

  it("rejects a malformed row with its line number", () => {
    const dir = writePromptFixture(tmp.dir("row"));
    const path = join(dir, "intent.jsonl");
    writeFileSync(
      path,
      `${readFileSync(path, "utf8")}\n{"id":"x","text":"hi","label":"sneaky","split":"train"}`,
    );
    expect(() => loadPromptData(dir)).toThrow(/intent\.jsonl:\d+: label/);
  });

  it("rejects a manifest that lacks a direction label or duplicates an id", () => {
    const dir = writePromptFixture(tmp.dir("missing"));
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    delete m.sets.brevity;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
    expect(() => loadPromptData(dir)).toThrow(/no contrastive set for brevity/);

    const dup = writePromptFixture(tmp.dir("dup"));
    const bank = join(dup, "benign.jsonl");
    const first = readFileSync(bank, "utf8").split("\n")[0];
    writeFileSync(bank, `${readFileSync(bank, "utf8")}\n${first}`);
    expect(() => loadPromptData(dup)).toThrow(/appears twice/);
    expect(() => loadPromptData(tmp.dir("empty"))).toThrow(/manifest\.json: missing/);
  });

  // The package's own data (data/prompts/v1).
  it("loads the package's prompt data, with at least 64 rows per set and a held-out split", () => {
    const data = loadPromptData();
    for (const label of DIRECTION_LABELS) {
      const rows = data.contrastive[label];
      expect(rows.length, label).toBeGreaterThanOrEqual(64);
      expect(
        rows.some((r) => r.split === "test"),
        label,
      ).toBe(true);
    }
    for (const c of INTENT_CLASSES)
      expect(data.intent.filter((r) => r.label === c).length, c).toBeGreaterThanOrEqual(64);
    expect(data.intent.some((r) => r.split === "test")).toBe(true);
    expect(data.benign.length).toBeGreaterThanOrEqual(128);
  });
});
