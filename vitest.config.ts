import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Tests live in test/, mirroring src/ (STYLE.md §12). Heavy suites (lens parity,
// skill-wins) run in forks so a native crash or a long numeric loop cannot take
// the runner down with it.
//
// `npm run test:fast` (SEIGE_TEST_FAST=1) is the edit loop: it leaves out every
// file that needs the lens runtime (test/lens/, or one that builds a tiny
// checkpoint or serves one) or a browser (one that launches Chromium). The set
// is read from the files' imports, so a new lens or browser test is left out
// without anyone updating a list. `npm test` stays the whole suite.
const SLOW_MARKERS = [
  /helpers\/lens-(tiny|serve)\.js"/,
  /\bmakeTinyCheckpoint\b/,
  /\blaunchBrowser\b/,
];

function slowFiles(): string[] {
  const files = readdirSync("test", { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join("test", f).replaceAll("\\", "/"));
  return files.filter(
    (f) => f.startsWith("test/lens/") || SLOW_MARKERS.some((m) => m.test(readFileSync(f, "utf8"))),
  );
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude:
      process.env.SEIGE_TEST_FAST === "1" ? ["**/node_modules/**", ...slowFiles()] : undefined,
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
