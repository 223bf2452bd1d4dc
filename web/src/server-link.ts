/**
 * How the page reaches its server: only through the public protocol (`/ws`,
 * `/schema`, `/metadata`), with the typed client of src/client. The server's
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

export const fetchSchema = () => getJson<ServerSchema>("/schema");
export const fetchMetadata = () => getJson<ServerMetadata>("/metadata");
