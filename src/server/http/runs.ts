/**
 * Read-only routes over the folder of `seige train` runs (`SEIGE_LEARNED_DIR`,
 * default `./runs`, the same root the server reads `learned:` opponents from),
 * for the web page's Training tab (docs/web.md):
 *   GET /runs                   the run folders (relative names) with what each was asked
 *   GET /runs/<name>/progress   run.json, baselines, every metrics line so far, and
 *                               whether the checkpoint and the report are written
 *   GET /runs/<name>/policy     the checkpoint (policy.json), so the page can play it
 * A name is '/'-separated folder names of letters, digits, '.', '_' and '-'; anything
 * else (`..`, absolute, encoded separators, NUL) is refused before the disk is
 * touched, and the resolved folder must stay inside the root with symlinks
 * followed (util/inside-folder.ts). Nothing here writes. The learn code is
 * imported at the first request, so a server that never serves runs never loads it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Context, Hono } from "hono";
import { resolveInside } from "../../util/inside-folder.js";

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;
const MAX_DEPTH = 8;
const WHAT = new Set(["progress", "policy"]);

const notFound = (c: Context, detail = "Not Found") => c.json({ detail }, 404);

/** The run name of a request path's middle part, or null when it is not a valid name. */
export function runName(parts: string[]): string | null {
  if (parts.length === 0 || parts.length > MAX_DEPTH) return null;
  return parts.every((p) => SEGMENT.test(p) && !/^\.+$/.test(p)) ? parts.join("/") : null;
}

/** Adds the `/runs` routes over `root` to `app`; without a root they answer 404. */
export function mountRuns(app: Hono, root: string | undefined): void {
  const files = () => import("../../learn/run-files.js");
  app.get("/runs", async (c) => {
    if (!root) return notFound(c, "this server serves no training runs");
    const { listRuns, readRunProgress } = await files();
    const runs = listRuns(root).map((name) => {
      const p = readRunProgress(join(root, name));
      const last = p.metrics.at(-1);
      return {
        name,
        role: p.run?.role ?? null,
        opponent: p.run?.opponent ?? null,
        stage: p.run?.stage ?? null,
        episodes: p.run?.episodes ?? null,
        episodes_done: last?.episodes ?? 0,
        has_policy: p.has_policy,
        finished: p.finished,
      };
    });
    return c.json({ runs });
  });
  app.get("/runs/*", async (c) => {
    if (!root) return notFound(c, "this server serves no training runs");
    // The raw path: a '%2F' inside a segment must not become a separator.
    const raw = new URL(c.req.url).pathname.slice("/runs/".length).split("/");
    const what = raw.pop() ?? "";
    const name = runName(raw);
    if (!WHAT.has(what) || name === null) return notFound(c);
    const { isRunFolder, readRunProgress } = await files();
    let dir: string;
    try {
      dir = resolveInside(name, root, {
        subject: `run '${name}'`,
        expected: "a folder inside the runs folder",
        folder: "the runs folder",
      });
    } catch {
      return notFound(c, `no run '${name}'`);
    }
    if (!isRunFolder(dir)) return notFound(c, `no run '${name}'`);
    c.header("cache-control", "no-store");
    if (what === "progress") return c.json(readRunProgress(dir));
    let body: string;
    try {
      body = await readFile(join(dir, "policy.json"), "utf8");
    } catch {
      return notFound(c, `run '${name}' has no checkpoint yet`);
    }
    return c.body(body, 200, { "content-type": "application/json" });
  });
}
