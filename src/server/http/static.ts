/**
 * Serves the web page (`/web`, docs/web.md) from the package's built assets
 * (`dist/web`, made by `npm run build`): plain files with their content types,
 * nothing computed per request. `/web` redirects to `/web/` with a relative
 * Location, so the redirect also works behind a proxy's path prefix (the
 * Space's `base_path`); the page itself uses relative asset URLs for the same
 * reason. Paths are resolved inside the asset folder only: anything that would
 * step outside it (`..`, encoded or not, absolute parts, NUL) is a 404. When
 * the assets were never built, `/web/` says how to build them instead of a bare
 * 404. The page talks to the server only through the public protocol; nothing
 * here exposes an endpoint of its own.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

/** `<package>/dist/web`: src/server/http and dist/server/http both sit three levels below the package root. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../dist/web", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>seige web: not built</title>
<h1>The web page has not been built</h1>
<p>Build it with <code>npm run build</code> (or start the server with <code>npm start</code>, which builds first), then reload.</p>`;

/** The file under `root` that `rel` names, or null when it would leave `root`. */
export function resolveAsset(root: string, rel: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const parts = decoded.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) return null;
  const base = resolve(root);
  const file = resolve(base, ...parts);
  return file === base || file.startsWith(base + sep) ? file : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Adds `GET /web`, `GET /web/` and `GET /web/<asset>` to `app`. */
export function mountWeb(app: Hono, root: string = DEFAULT_WEB_ROOT): void {
  app.get("/web", (c) => {
    // Keep the query: it holds the page's shareable state (seed, stage, policies).
    const query = new URL(c.req.url).search;
    return c.redirect(`web/${query}`, 307);
  });
  app.get("/web/*", async (c) => {
    const rel = c.req.path.slice("/web/".length) || "index.html";
    const file = resolveAsset(root, rel);
    if (!file) return c.json({ detail: "Not Found" }, 404);
    if (!(await isFile(file))) {
      if (rel === "index.html") return c.html(NOT_BUILT, 404);
      return c.json({ detail: "Not Found" }, 404);
    }
    const body = await readFile(file);
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    // Hashed bundles never change under one name; index.html must be revalidated.
    const cache = rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    return c.body(body, 200, {
      "content-type": type,
      "cache-control": cache,
      "x-content-type-options": "nosniff",
    });
  });
}
