// `seige serve` on the sim loads only what serving needs (issue 16, start-up ≤ 0.3 s):
// its static import graph must not reach a model runtime (src/lens, onnxruntime-node,
// tokenizers), the learned or LLM policies, the audit, the other target backends, or
// `ws` (imported at the first WebSocket upgrade). Those load on demand, by dynamic import.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");

/** Files and packages reached from `entry` through static value imports (not `import type`, not `import()`). */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+"([^"]+)";/gms)) {
      if (m[2]) continue;
      const spec = m[3];
      if (spec.startsWith(".")) visit(join(dirname(file), spec).replace(/\.js$/, ".ts"));
      else if (!spec.startsWith("node:"))
        packages.add(
          spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0],
        );
    }
  };
  visit(entry);
  return { files, packages };
}

describe("seige serve start-up imports", () => {
  const { files, packages } = staticGraph(join(SRC, "commands/serve.ts"));
  const reached = [...files].map((f) => relative(SRC, f));

  it("reaches the server, the env and the sim target", () => {
    expect(reached).toContain("server/server.ts");
    expect(reached).toContain("env/env.ts");
    expect(reached).toContain("target/sim/sim-target.ts");
  });

  it("loads no model runtime, learned policy, audit or other backend up front", () => {
    const heavy = reached.filter((f) =>
      /^(lens|learn|audit|directions\/(?!summary|types)|target\/(lens|openai))\//.test(f),
    );
    expect(heavy).toEqual([]);
    for (const p of ["onnxruntime-node", "@huggingface/tokenizers", "@huggingface/jinja", "ws"])
      expect([...packages]).not.toContain(p);
  });
});
