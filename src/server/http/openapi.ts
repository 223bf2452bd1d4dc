/**
 * The OpenAPI 3.1 document (`GET /openapi.json`) and the human docs page
 * (`GET /docs`). `openenv validate` reads `info.version` and the `paths` keys
 * (PROTOCOL.md §4.2); the schemas inside come from the arena's zod schemas
 * (jsonSchemas in schemas.ts), so the document cannot drift from the wire.
 * WebSocket routes are not OpenAPI operations; the docs page describes them.
 */
import type { ServerInfo } from "../types.js";
import { wireSchemas } from "./schemas.js";

const json = (ref: string) => ({
  "application/json": { schema: { $ref: `#/components/schemas/${ref}` } },
});
const ok = (ref: string, description = "Successful Response") => ({
  description,
  content: json(ref),
});
const invalid = { description: "Validation Error", content: json("HTTPValidationError") };
const problem = (description: string) => ({ description, content: json("HTTPError") });
const foreign = problem(
  "A browser page from another origin (Origin header not the server's own nor in SEIGE_ALLOWED_ORIGINS), or, bound to loopback, a Host header that is neither a loopback name nor in SEIGE_ALLOWED_HOSTS",
);
const noToken = problem(
  "No 'Authorization: Bearer <owner_token>' header (the owner_token comes from POST /reset)",
);
/** /step and /state?episode_id= act on an episode only with its owner token. */
const owned = [{ ownerToken: [] }];

export function openApiDocument(info: ServerInfo): Record<string, unknown> {
  const s = wireSchemas();
  return {
    openapi: "3.1.0",
    info: {
      title: "OpenEnv Environment HTTP API",
      version: "1.0.0",
      description: `${info.name} ${info.version}: ${info.description} WebSocket sessions at /ws (OpenEnv protocol) and /mcp (JSON-RPC); see /docs.`,
    },
    paths: {
      "/reset": {
        post: {
          summary: "Reset",
          description:
            "Start an episode. seige extension: the server makes the episode_id (a client's episode_id is accepted and ignored) and returns owner_token; send episode_id in the /step body and owner_token as 'Authorization: Bearer <owner_token>' to continue it (idle episodes expire). Send your owner token on later resets too: when the pool of HTTP episodes is full, a reset replaces your own least recently used episode, then a finished or expired one, and is otherwise refused (503).",
          requestBody: { required: false, content: json("ResetRequest") },
          responses: {
            "200": ok("ResetResponse"),
            "403": foreign,
            "422": invalid,
            "503": problem("Every HTTP episode is another client's live episode; retry later"),
          },
        },
      },
      "/step": {
        post: {
          summary: "Step",
          description:
            "One action in the episode named by episode_id (required by seige: OpenEnv's HTTP is otherwise stateless), with its owner token.",
          security: owned,
          requestBody: { required: true, content: json("StepRequest") },
          responses: {
            "200": ok("StepResponse"),
            "401": noToken,
            "403": foreign,
            "404": problem(
              "No such episode for this owner token (unknown, another client's, evicted or expired)",
            ),
            "409": problem("The episode is done: reset first"),
            "422": invalid,
          },
        },
      },
      "/state": {
        get: {
          summary: "State",
          description:
            "The episode's public state (with episode_id, its owner token is required); without episode_id, a fresh environment's (as OpenEnv).",
          security: [{}, ...owned],
          parameters: [
            { name: "episode_id", in: "query", required: false, schema: { type: "string" } },
          ],
          responses: {
            "200": ok("State"),
            "401": noToken,
            "404": problem("No such episode for this owner token"),
          },
        },
      },
      "/metadata": {
        get: { summary: "Metadata", responses: { "200": ok("EnvironmentMetadata") } },
      },
      "/health": { get: { summary: "Health", responses: { "200": ok("HealthResponse") } } },
      "/schema": { get: { summary: "Schema", responses: { "200": ok("SchemaResponse") } } },
      "/mcp": {
        post: {
          summary: "MCP JSON-RPC",
          description:
            "One JSON-RPC 2.0 request: tools/list, tools/call, openenv/session/create, openenv/session/close. HTTP 200 for every JSON-RPC answer, errors included; 415 (with a JSON-RPC error) for a body that is not declared JSON; 403 for a foreign browser origin.",
          requestBody: {
            required: true,
            content: { "application/json": { schema: { type: "object" } } },
          },
          responses: {
            "200": {
              description: "JSON-RPC response",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "403": foreign,
            "415": {
              description: "The body is not declared JSON (Content-Type: application/json)",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        ownerToken: {
          type: "http",
          scheme: "bearer",
          description: "the owner_token from this episode's POST /reset reply",
        },
      },
      schemas: {
        ResetRequest: s.resetRequest,
        ResetResponse: s.resetResponse,
        StepRequest: s.stepRequest,
        StepResponse: s.stepResponse,
        State: s.state,
        SchemaResponse: {
          type: "object",
          properties: {
            action: { type: "object" },
            observation: { type: "object" },
            state: { type: "object" },
            reset: { type: "object" },
          },
          required: ["action", "observation", "state"],
        },
        EnvironmentMetadata: {
          type: "object",
          properties: Object.fromEntries(
            ["name", "description", "readme_content", "version", "author", "documentation_url"].map(
              (k) => [k, { type: ["string", "null"] }],
            ),
          ),
          required: ["name", "description"],
        },
        HealthResponse: {
          type: "object",
          properties: { status: { type: "string", enum: ["healthy", "unhealthy", "degraded"] } },
          required: ["status"],
        },
        HTTPError: {
          type: "object",
          properties: { detail: { type: "string" } },
          required: ["detail"],
        },
        HTTPValidationError: {
          type: "object",
          properties: {
            detail: { type: "array", items: { $ref: "#/components/schemas/ValidationError" } },
          },
        },
        ValidationError: {
          type: "object",
          properties: {
            loc: { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
            msg: { type: "string" },
            type: { type: "string" },
            input: {},
            ctx: { type: "object" },
          },
          required: ["loc", "msg", "type"],
        },
      },
    },
  };
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A self-contained page (no CDN: Spaces and offline machines both render it). */
export function docsPage(info: ServerInfo): string {
  const doc = openApiDocument(info) as {
    paths: Record<string, Record<string, { summary: string; description?: string }>>;
  };
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()} ${path}</code></td><td>${escapeHtml(op.description ?? op.summary)}</td></tr>`,
    ),
  );
  const ws = [
    [
      "WS /ws",
      'OpenEnv session: one environment per connection. Frames {"type":"reset","data":{...}}, {"type":"step","data":{action}}, {"type":"state"}, {"type":"mcp","data":{JSON-RPC}}, {"type":"close"}; exactly one reply per request.',
    ],
    ["WS /mcp", "JSON-RPC 2.0, one request per text frame, the connection's own environment."],
  ].map(([p, d]) => `<tr><td><code>${p}</code></td><td>${escapeHtml(d)}</td></tr>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.name)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}td{padding:.3em .8em;vertical-align:top;border-bottom:1px solid #ddd}code{white-space:nowrap}</style></head>
<body><h1>${escapeHtml(info.name)} ${escapeHtml(info.version)}</h1><p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>, <a href="/schema">/schema</a> (action, observation, state and reset JSON Schemas), <a href="/metadata">/metadata</a>.</p>
<table>${[...rows, ...ws].join("\n")}</table></body></html>`;
}
