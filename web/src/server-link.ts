/**
 * How the page reaches its server: only through the public protocol (`/ws`,
 * `/schema`, `/metadata`) and the read-only `/runs` routes of `seige train` runs, with the typed client of src/client. The server's
 * base URL is the page's own URL minus its trailing `web/…`, so the page works
 * at `/web/` and behind a proxy's path prefix alike. Errors become one
 * `LinkError` with a message a person can act on (server gone, session limit).
 */
import { SeigeClient, SeigeClientError } from "../../src/client/index.js";

/** The server's base URL (no trailing slash) for a page served at `<base>/web/`. */
export function serverBase(href: string = location.href): string {
  const url = new URL(href);
  url.search = "";
  url.hash = "";
  const path = url.pathname.replace(/\/web(\/[^/]*)?$/, "").replace(/\/+$/, "");
  return `${url.origin}${path}`;
}

export class LinkError extends Error {
  constructor(
    readonly kind: "unreachable" | "capacity" | "lost" | "validation" | "server",
    message: string,
    /** the server's validation errors, `{loc, msg}` per field */
    readonly fields: { loc: (string | number)[]; msg: string }[] = [],
  ) {
    super(message);
    this.name = "LinkError";
  }
}

/** Turns a client error into a LinkError with an actionable message. */
export function explain(e: unknown): LinkError {
  if (e instanceof LinkError) return e;
  if (e instanceof SeigeClientError) {
    if (e.code === "CAPACITY_REACHED")
      return new LinkError(
        "capacity",
        `The server's session limit is reached (${e.message}). Close another seige tab or client, then retry.`,
      );
    if (e.code === "VALIDATION_ERROR") {
      const errors = ((e.details as { errors?: unknown })?.errors ?? []) as {
        loc: (string | number)[];
        msg: string;
      }[];
      return new LinkError("validation", "The server rejected the action's form.", errors);
    }
    if (e.code === "closed" || e.code === "timeout")
      return new LinkError(
        "lost",
        `Lost the connection to the server (${e.message}). Is \`seige serve\` still running? Retry to start a new session.`,
      );
    return new LinkError("server", `The server answered ${e.code}: ${e.message}`);
  }
  return new LinkError("server", e instanceof Error ? e.message : String(e));
}

/** Opens a `/ws` session; the first request surfaces a session-limit refusal. */
export async function openSession(base = serverBase()): Promise<SeigeClient> {
  try {
    return await SeigeClient.connect(base, { openTimeoutMs: 5000, timeoutMs: 30_000 });
  } catch (e) {
    if (e instanceof SeigeClientError && e.code !== "CAPACITY_REACHED")
      throw new LinkError(
        "unreachable",
        `Cannot reach the seige server at ${base}. Start it with \`npx seige serve\` (or \`npm start\`), then retry.`,
      );
    throw explain(e);
  }
}

async function getJson<T>(path: string, base = serverBase()): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { headers: { accept: "application/json" } });
  } catch {
    throw new LinkError(
      "unreachable",
      `Cannot reach the seige server at ${base}. Start it with \`npx seige serve\`, then retry.`,
    );
  }
  if (!res.ok) throw new LinkError("server", `GET ${path} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

export interface ServerSchema {
  action: JsonSchema;
  observation: JsonSchema;
}

export interface ServerMetadata {
  name: string;
  version: string;
  description: string;
}

/** JSON Schema as `/schema` serves it (draft 2020-12 from zod). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: (string | number)[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  description?: string;
  default?: unknown;
  maxLength?: number;
  additionalProperties?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** A run of the server's runs folder as `GET /runs` lists it (src/server/http/runs.ts). */
export interface RunEntry {
  name: string;
  role: "red" | "blue" | null;
  opponent: string | null;
  stage: number | null;
  episodes: number | null;
  episodes_done: number;
  has_policy: boolean;
  finished: boolean;
}

/** One update's line of a run's metrics.jsonl (src/learn/train.ts). */
export interface UpdateLine {
  update: number;
  episodes: number;
  seconds: number;
  mean_return: number;
  win_rate: number;
  components: Record<string, number>;
  entropy: number;
}

export interface RunProgress {
  run: {
    role: "red" | "blue";
    opponent: string;
    stage: number;
    episodes: number;
    batch: number;
    command: string;
  } | null;
  baselines: { name: string; mean_return: number; win_rate: number }[] | null;
  metrics: UpdateLine[];
  has_policy: boolean;
  finished: boolean;
}

const runPath = (run: string) => run.split("/").map(encodeURIComponent).join("/");
export const fetchRuns = () => getJson<{ runs: RunEntry[] }>("/runs");
export const fetchProgress = (run: string) =>
  getJson<RunProgress>(`/runs/${runPath(run)}/progress`);
export const fetchCheckpoint = (run: string) =>
  getJson<import("../../src/learn/from-checkpoint.js").Checkpoint>(`/runs/${runPath(run)}/policy`);
export const fetchSchema = () => getJson<ServerSchema>("/schema");
export const fetchMetadata = () => getJson<ServerMetadata>("/metadata");
