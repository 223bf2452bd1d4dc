/**
 * The HTTP routes of PROTOCOL.md §1 as a Hono app: every handler decodes,
 * calls the session manager, encodes, and nothing more; `app.onError` turns
 * every error into the protocol's shape in one place, and every body is
 * encoded by `send`, which cannot throw. Runs without a socket through
 * `app.request()` (the tests do).
 *
 * HTTP statefulness (seige's extension, docs/server.md): `/reset` starts an
 * episode with a server-made `episode_id` and returns an `owner_token`; `/step`
 * and `/state?episode_id=` continue it with `Authorization: Bearer <token>`
 * (http-episodes.ts). OpenEnv's own HTTP is stateless, so a `/step` without
 * `episode_id` is an error that says what to do, and `/state` without one
 * answers for a fresh env. A client's `episode_id` on `/reset` is accepted (as
 * OpenEnv's envelope allows) and ignored: ids are the server's.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ServerContext } from "../context.js";
import { parseResetBody, parseStepBody } from "../envelope.js";
import { mapError, RPC } from "../error-map.js";
import { handleRpc, rpcError } from "../mcp/rpc.js";
import { encodeOr } from "../safe-json.js";
import { RequestValidationError } from "../validation-errors.js";
import { isJsonType, readJsonBody } from "./body.js";
import { hostGuard, originGuard, sizeGuard } from "./guards.js";
import { docsPage, openApiDocument } from "./openapi.js";
import { mountRuns } from "./runs.js";
import { wireSchemas } from "./schemas.js";
import { mountWeb } from "./static.js";

/** Sent if a reply cannot be encoded (a bug, never bad input: echoes are bounded first). */
const HTTP_FALLBACK = '{"detail":"the reply could not be encoded; the server logged it"}';
const RPC_FALLBACK = JSON.stringify(
  rpcError(null, RPC.INTERNAL_ERROR, "the reply could not be encoded; the server logged it"),
);

/** `Authorization: Bearer <token>`, or null. */
function bearer(c: Context): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  return m ? m[1] : null;
}

const NO_TOKEN =
  "this episode needs its owner token: send the owner_token from your POST /reset reply as the header 'Authorization: Bearer <owner_token>'";

/** Every HTTP path; another method on one of them is 405, as FastAPI answers. */
const PATHS = [
  "/reset",
  "/step",
  "/state",
  "/metadata",
  "/health",
  "/schema",
  "/mcp",
  "/openapi.json",
  "/docs",
  "/runs",
];

export function createApp(ctx: ServerContext): Hono {
  const app = new Hono();
  const { sessions } = ctx;
  const send = (c: Context, value: unknown, status = 200, fallback = HTTP_FALLBACK) =>
    c.body(
      encodeOr(value, fallback, (e) =>
        ctx.log(`${c.req.method} ${c.req.path}: reply not encodable: ${e}`),
      ),
      status as ContentfulStatusCode,
      { "content-type": "application/json" },
    );
  const unauthorized = (c: Context) => {
    c.header("www-authenticate", 'Bearer realm="seige"');
    return send(c, { detail: NO_TOKEN }, 401);
  };

  if (ctx.hostPolicy) app.use("*", hostGuard(ctx.hostPolicy));
  app.use("*", originGuard(ctx.allowedOrigins ?? []));
  app.use("*", sizeGuard(sessions.limits.maxBodyBytes));

  app.get("/health", (c) => c.json({ status: "healthy" }));
  app.get("/metadata", (c) => c.json(ctx.info));
  app.get("/schema", (c) => {
    const s = wireSchemas();
    return c.json({ action: s.action, observation: s.observation, state: s.state, reset: s.reset });
  });
  app.get("/openapi.json", (c) => c.json(openApiDocument(ctx.info)));
  app.get("/docs", (c) => c.html(docsPage(ctx.info)));

  app.post("/reset", async (c) => {
    const req = parseResetBody(await readJsonBody(c));
    const { session, token } = sessions.http.prepare(bearer(c));
    try {
      const result = await session.run(() => session.reset(req.options, ["body"], session.id));
      sessions.http.admit(session, token);
      return send(c, { ...result, owner_token: token });
    } catch (e) {
      session.close(); // a reset that failed leaves no episode behind and evicted none
      throw e;
    }
  });

  app.post("/step", async (c) => {
    const req = parseStepBody(await readJsonBody(c));
    const token = bearer(c);
    if (!token) return unauthorized(c);
    const session = sessions.httpEpisode(req.episodeId, token);
    return send(c, await session.run(() => session.step(req.action)));
  });

  app.get("/state", async (c) => {
    const id = c.req.query("episode_id");
    if (id !== undefined) {
      const token = bearer(c);
      if (!token) return unauthorized(c);
      const session = sessions.httpEpisode(id, token);
      return send(c, await session.run(() => session.state()));
    }
    const scratch = sessions.scratch(); // OpenEnv: a fresh environment per call
    try {
      return send(c, await scratch.run(() => scratch.state()));
    } finally {
      scratch.close();
    }
  });

  app.post("/mcp", async (c) => {
    const text = await c.req.text();
    // A non-JSON body is refused unread: a page may post text/plain cross-site without asking.
    if (text.trim() !== "" && !isJsonType(c.req.header("content-type"))) {
      const msg = "POST /mcp takes a JSON-RPC request with Content-Type: application/json";
      return send(c, rpcError(null, RPC.INVALID_REQUEST, msg), 415, RPC_FALLBACK);
    }
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      return send(c, rpcError(null, RPC.PARSE_ERROR, "Parse error"), 200, RPC_FALLBACK);
    }
    const reply = await handleRpc(request, { sessions, log: ctx.log });
    return send(c, reply, 200, RPC_FALLBACK);
  });

  mountWeb(app, ctx.webRoot);
  mountRuns(app, ctx.runsRoot);

  // FastAPI's answers for a known path with another method, and for unknown paths.
  for (const path of PATHS) app.all(path, (c) => c.json({ detail: "Method Not Allowed" }, 405));
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));

  app.onError((e, c) => {
    if (e instanceof RequestValidationError) return send(c, { detail: e.details }, 422);
    const m = mapError(e);
    if (m.internal) {
      ctx.log(`${c.req.method} ${c.req.path}: ${(e as Error)?.stack ?? e}`);
      return c.text("Internal Server Error", 500);
    }
    if (m.status === 503) c.header("retry-after", "30");
    return send(c, { detail: m.message }, m.status);
  });
  return app;
}
