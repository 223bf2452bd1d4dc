/**
 * The files of a `seige train` output folder, and reading one while it may still
 * be training, for a watcher (the server's read-only `/runs` routes, the web
 * page's Training tab). `run.json` is written first (what was asked), then
 * `baselines.json`, then one `metrics.jsonl` line per update, and `report.html`
 * last: a folder with `run.json` and no report is still training (or was
 * stopped). A half-written last metrics line is skipped, not an error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CHECKPOINT_FILE } from "./checkpoint.js";
import type { UpdateMetrics } from "./train.js";

export const RUN_FORMAT = "seige-train-run/1";
export const RUN_FILE = "run.json";
export const METRICS_FILE = "metrics.jsonl";
export const BASELINES_FILE = "baselines.json";
export const REPORT_FILE = "report.html";
/** Outputs of an earlier run in the same folder, removed when a new one starts. */
export const STALE_OUTPUTS = [
  CHECKPOINT_FILE,
  REPORT_FILE,
  "crossplay.json",
  "crossplay.html",
  "return.svg",
];

/** A metrics file this large is refused rather than read (16,000 episodes write about 0.5 MB). */
const MAX_METRICS_BYTES = 16 << 20;

export interface RunAsked {
  format: typeof RUN_FORMAT;
  role: "red" | "blue";
  opponent: string;
  /** the opponents trained against in turn (`seige train --alternate R --population`) */
  population?: string[];
  stage: number;
  seed: number;
  episodes: number;
  batch: number;
  command: string;
}

export interface RunProgress {
  /** what was asked; null for a folder from before run.json existed */
  run: RunAsked | null;
  baselines: { name: string; mean_return: number; win_rate: number }[] | null;
  metrics: UpdateMetrics[];
  /** the checkpoint is written (a `learned:` policy can be played) */
  has_policy: boolean;
  /** the report is written: training and its evaluation are over */
  finished: boolean;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

/** Everything a watcher shows of the run in `dir`. */
export function readRunProgress(dir: string): RunProgress {
  const metrics: UpdateMetrics[] = [];
  const path = join(dir, METRICS_FILE);
  if (existsSync(path)) {
    if (statSync(path).size > MAX_METRICS_BYTES)
      throw new Error(`${METRICS_FILE} is larger than ${MAX_METRICS_BYTES} bytes`);
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        metrics.push(JSON.parse(line) as UpdateMetrics);
      } catch {
        // the line being written right now
      }
    }
  }
  return {
    run: readJson<RunAsked>(join(dir, RUN_FILE)),
    baselines: readJson(join(dir, BASELINES_FILE)),
    metrics,
    has_policy: existsSync(join(dir, CHECKPOINT_FILE)),
    finished: existsSync(join(dir, REPORT_FILE)),
  };
}

/** Whether `dir` looks like a `seige train` output folder. */
export const isRunFolder = (dir: string): boolean =>
  existsSync(join(dir, RUN_FILE)) ||
  existsSync(join(dir, METRICS_FILE)) ||
  existsSync(join(dir, CHECKPOINT_FILE));

/**
 * The run folders under `root`, as paths relative to it ('/'-separated), down to
 * `depth` levels (alternating runs nest as `round-r/<role>`). Symlinks are not
 * followed, so the listing never leaves `root`.
 */
export function listRuns(root: string, depth = 3, limit = 500): string[] {
  const found: string[] = [];
  const walk = (rel: string[], level: number) => {
    if (found.length >= limit) return;
    const dir = join(root, ...rel);
    if (rel.length > 0 && isRunFolder(dir)) found.push(rel.join("/"));
    if (level >= depth) return;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !e.isSymbolicLink() && !e.name.startsWith("."))
        walk([...rel, e.name], level + 1);
    }
  };
  walk([], 0);
  return found;
}
