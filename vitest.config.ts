import { defineConfig } from "vitest/config";

// Tests live in test/, mirroring src/ (STYLE.md §12). Heavy suites (lens parity,
// skill-wins) run in forks so a native crash or a long numeric loop cannot take
// the runner down with it.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
