/**
 * The HTTP routes of PROTOCOL.md §1 as a Hono app: every handler decodes,
 * calls the session manager, encodes, and nothing more; `app.onError` turns
 * every error into the protocol's shape in one place. Runs without a socket
 * through `app.request()` (the tests do).
 *
 * HTTP statefulness (seige's extension, docs/server.md): `/reset` starts an
 * episode kept under its `episode_id`; `/step` and `/state?episode_id=` continue
 * it. OpenEnv's own HTTP is stateless, so a `/step` without `episode_id` is an
 * error that says what to do, and `/state` without one answers for a fresh env.
 */

import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ServerContext } from "../context.js";
import { parseResetBody, parseStepBody } from "../envelope.js";
import { mapError, RPC } from "../error-map.js";
import { handleRpc, rpcError } from "../mcp/rpc.js";
import { RequestValidationError } from "../validation-errors.js";
import { readJsonBody } from "./body.js";
import { docsPage, openApiDocument } from "./openapi.js";
import { wireSchemas } from "./schemas.js";
import { mountWeb } from "./static.js";

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
];

export function createApp(ctx: ServerContext): Hono {
  const app = new Hono();
  const { sessions } = ctx;

  app.use(
    "*",
    bodyLimit({
      maxSize: sessions.limits.maxBodyBytes,
      onError: (c) =>
        c.json({ detail: `request body larger than ${sessions.limits.maxBodyBytes} bytes` }, 413),
    }),
  );

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
    const id = req.episodeId ?? randomUUID();
    const existed = sessions.hasHttpEpisode(id);
    const session = sessions.httpEpisode(id);
    try {
      return c.json(await session.run(() => session.reset(req.options, ["body"], id)));
    } catch (e) {
      if (!existed) sessions.close(id, "http"); // a reset that failed leaves no empty episode behind
      throw e;
    }
  });

  app.post("/step", async (c) => {
    const req = parseStepBody(await readJsonBody(c));
    const session = sessions.get(req.episodeId, ["http"]);
    return c.json(await session.run(() => session.step(req.action)));
  });

  app.get("/state", async (c) => {
    const id = c.req.query("episode_id");
    if (id !== undefined) {
      const session = sessions.get(id, ["http"]);
      return c.json(await session.run(() => session.state()));
    }
    const scratch = sessions.scratch(); // OpenEnv: a fresh environment per call
    try {
      return c.json(await scratch.run(() => scratch.state()));
    } finally {
      scratch.close();
    }
  });

  app.post("/mcp", async (c) => {
    let request: unknown;
    try {
      request = JSON.parse(await c.req.text());
    } catch {
      return c.json(rpcError(null, RPC.PARSE_ERROR, "Parse error"));
    }
    return c.json(await handleRpc(request, { sessions, log: ctx.log }));
  });

  mountWeb(app, ctx.webRoot);

  // FastAPI's answers for a known path with another method, and for unknown paths.
  for (const path of PATHS) app.all(path, (c) => c.json({ detail: "Method Not Allowed" }, 405));
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));

  app.onError((e, c) => {
    if (e instanceof RequestValidationError) return c.json({ detail: e.details }, 422);
    const m = mapError(e);
    if (m.internal) {
      ctx.log(`${c.req.method} ${c.req.path}: ${(e as Error)?.stack ?? e}`);
      return c.text("Internal Server Error", 500);
    }
    return c.json({ detail: m.message }, m.status as ContentfulStatusCode);
  });
  return app;
}
