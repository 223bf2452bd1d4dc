/**
 * Builds the web page (docs/web.md) into `dist/web`, which `seige serve` serves
 * under `/web`. `base: "./"` makes every asset URL relative, so the page works
 * at `/web/` and behind a proxy's path prefix (a Space's `base_path`). Every
 * dependency is bundled: the page makes no request to any other host. The
 * rules (docs/game.md) and the page's guide (docs/web.md) are copied in as
 * plain text, so the page's "about" strip links to them offline.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Copies docs/<name>.md into the build as docs/<name>.txt (served as text/plain). */
const docs = (names: string[]): Plugin => ({
  name: "seige-docs",
  generateBundle() {
    for (const name of names)
      this.emitFile({
        type: "asset",
        fileName: `docs/${name}.txt`,
        source: readFileSync(here(`../docs/${name}.md`), "utf8"),
      });
  },
});

// Vite reads the config file's default export: the one default export in the project.
export default defineConfig({
  root: here("."),
  base: "./",
  publicDir: false,
  logLevel: "warn",
  plugins: [docs(["game", "web"])],
  build: {
    outDir: here("../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
});
