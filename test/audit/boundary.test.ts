// ARCHITECTURE.md: src/audit plays through src/env like any client and imports
// no rule internals — from the arena only the wire types (schema.ts), nothing
// from target, directions or lens. If the audit needed a hidden fact, that fact
// would be a leak.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const AUDIT = join(import.meta.dirname, "../../src/audit");

describe("src/audit imports", () => {
  it("reach the rules only through the env, the agents and the wire schema", () => {
    const bad: string[] = [];
    for (const file of readdirSync(AUDIT).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(AUDIT, file), "utf8");
      for (const m of text.matchAll(/from\s+"(\.\.\/[^"]+)"/g)) {
        const spec = m[1];
        // ../learn/index.js: the built-in learner, whose policies read only the view they
        // are handed; the audit trains it through src/env (surface-learner.ts)
        const allowed =
          spec === "../arena/schema.js" ||
          spec === "../learn/index.js" ||
          /^\.\.\/(env|agents|util)\//.test(spec);
        if (!allowed) bad.push(`${file}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
