// The client's core runs in browsers: no Node built-ins and no `ws` outside
// node.ts, the one file that injects Node's WebSocket.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = join(import.meta.dirname, "../../src/client");

describe("src/client is browser-safe", () => {
  it("only node.ts imports node built-ins or ws, and index.ts does not re-export it", () => {
    const offenders = readdirSync(DIR)
      .filter((f) => f.endsWith(".ts") && f !== "node.ts")
      .filter((f) =>
        /from\s+"(node:[^"]+|ws|buffer|events)"|require\(|\bBuffer\b|\bprocess\./.test(
          readFileSync(join(DIR, f), "utf8"),
        ),
      );
    expect(offenders).toEqual([]);
    expect(readFileSync(join(DIR, "index.ts"), "utf8")).not.toMatch(/from\s+"\.\/node\.js"/);
  });
});
