import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DIRECTION_LABELS, INTENT_CLASSES } from "../../src/arena/schema.js";
import { loadPromptData } from "../../src/directions/index.js";

const V2 = resolve(__dirname, "..", "..", "data", "prompts", "v2");

describe("data/prompts/v2", () => {
  // loadPromptData validates every row (zod), the manifest's counts, unique ids, one set per label.
  const data = loadPromptData(V2);

  it("is well-formed and larger than v1 in every set", () => {
    expect(data.version).toBe("prompts-v2");
    for (const label of DIRECTION_LABELS) {
      const rows = data.contrastive[label];
      expect(rows.length, label).toBeGreaterThanOrEqual(144);
      expect(rows.filter((r) => r.split === "test").length, label).toBeGreaterThanOrEqual(32);
      for (const r of rows) expect(r.positive, r.id).not.toBe(r.negative);
    }
    for (const c of INTENT_CLASSES) {
      const rows = data.intent.filter((r) => r.label === c);
      expect(rows.length, c).toBeGreaterThanOrEqual(288);
      expect(rows.filter((r) => r.split === "test").length, c).toBeGreaterThanOrEqual(64);
    }
    expect(data.benign.length).toBeGreaterThanOrEqual(200);
  });

  it("keeps train and test disjoint, and the bank out of the intent set", () => {
    const texts = (split: "train" | "test") =>
      new Set([
        ...data.intent.filter((r) => r.split === split).map((r) => r.text),
        ...Object.values(data.contrastive).flatMap((rows) =>
          rows.filter((r) => r.split === split).flatMap((r) => [r.positive, r.negative]),
        ),
      ]);
    const train = texts("train");
    const test = [...texts("test")];
    expect(test.filter((t) => train.has(t))).toEqual([]);
    // The split holds out fillers, so a test text is not a train text with another opening either.
    const strip = (t: string) =>
      t.replace(/^(Hello\. |Hi, one thing\. |Okay\. |Good morning\. )/, "");
    const trainCores = new Set([...train].map(strip));
    expect(test.filter((t) => trainCores.has(strip(t)))).toEqual([]);
    const intentTexts = new Set(data.intent.map((r) => r.text));
    expect(data.benign.filter((b) => intentTexts.has(b.text))).toEqual([]);
  });

  it("is exactly what the seeded generator writes", () => {
    const out = mkdtempSync(join(tmpdir(), "prompts-v2-"));
    try {
      execFileSync(
        process.execPath,
        ["--import", "tsx", "scripts/gen-prompts-v2.ts", "--out", out],
        {
          cwd: resolve(V2, "..", "..", ".."),
          stdio: "pipe",
        },
      );
      const files = ["manifest.json", "intent.jsonl", "benign.jsonl"].concat(
        readdirSync(join(V2, "contrastive")).map((f) => join("contrastive", f)),
      );
      for (const f of files)
        expect(readFileSync(join(out, f), "utf8"), f).toBe(readFileSync(join(V2, f), "utf8"));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});
