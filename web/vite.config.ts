/**
 * Builds the web page (docs/web.md) into `dist/web`, which `seige serve` serves
 * under `/web`. `base: "./"` makes every asset URL relative, so the page works
 * at `/web/` and behind a proxy's path prefix (a Space's `base_path`). Every
 * dependency is bundled: the page makes no request to any other host.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Vite reads the config file's default export: the one default export in the project.
export default defineConfig({
  root: here("."),
  base: "./",
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: here("../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
});
