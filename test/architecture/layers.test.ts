// Imports only go down the layers of ARCHITECTURE.md: a lower layer never imports
// a higher one (STYLE.md §11). Ranks: a folder may import folders of lower or equal rank.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");

const RANK: Record<string, number> = {
  util: 0,
  "vocab.ts": 0,
  lens: 1,
  directions: 2,
  target: 3,
  arena: 4,
  agents: 5,
  learn: 5.5,
  env: 6,
  rollout: 7,
  client: 7,
  audit: 7,
  server: 8,
  commands: 9,
  "cli.ts": 9,
  "index.ts": 10,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const top = (path: string) => relative(SRC, path).split("/")[0];

describe("layering", () => {
  it("every src folder has a rank", () => {
    for (const f of files(SRC)) expect(RANK, `no rank for ${top(f)}`).toHaveProperty([top(f)]);
  });

  it("no module imports a higher layer", () => {
    const violations: string[] = [];
    // The shared vocabulary sits below every layer and imports only zod.
    expect(readFileSync(join(SRC, "vocab.ts"), "utf8")).not.toMatch(/from\s+"\.\.?\//);
    for (const f of files(SRC)) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"|import\("(\.{1,2}\/[^"]+)"\)/g)) {
        const spec = m[1] ?? m[2];
        const target = join(f, "..", spec);
        const from = top(f);
        const to = top(target);
        if (RANK[to] > RANK[from])
          violations.push(`${relative(SRC, f)} imports ${relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("only src/lens/ort.ts imports onnxruntime-node", () => {
    const importers = files(SRC)
      .filter((f) =>
        /from\s+"onnxruntime-node"|import\("onnxruntime-node"\)/.test(readFileSync(f, "utf8")),
      )
      .map((f) => relative(SRC, f));
    expect(importers.filter((f) => f !== "lens/ort.ts")).toEqual([]);
  });

  it("arena, target and directions never use Math.random or Date.now", () => {
    const bad = files(SRC)
      .filter((f) => ["arena", "target", "directions"].includes(top(f)))
      .filter((f) => /Math\.random|Date\.now/.test(readFileSync(f, "utf8")))
      .map((f) => relative(SRC, f));
    expect(bad).toEqual([]);
  });
});
