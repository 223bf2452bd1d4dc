/**
 * What every HTTP request passes before a route sees it (docs/server.md,
 * "Security model"): the Host check of a loopback-bound server (host.ts), the
 * origin check for requests that change state, and the body-size limit. They
 * answer in FastAPI's `{"detail": ...}` shape unless given another `Refuse`
 * (`seige lens serve` answers in OpenAI's), and read (and discard) the rest of a
 * refused body before answering, so a client still writing a 2 MB upload reads
 * the refusal instead of a connection reset.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type HostPolicy, hostAllowed, hostRefusal } from "../host.js";
import { originAllowed, originRefusal } from "../origin.js";

/** Builds a refusal's reply in the app's error shape. */
export type Refuse = (c: Context, status: 403 | 413 | 415, message: string) => Response;

/** FastAPI's `{"detail": ...}`, as `seige serve` answers every HTTP error. */
export const refuseDetail: Refuse = (c, status, message) => c.json({ detail: message }, status);

/** Bytes of a refused body read and discarded at most, and for how long. */
const DRAIN_BYTES = 64 << 20;
const DRAIN_MS = 10_000;

/**
 * Reads and discards the rest of the request body, so the reply is read by a
 * client that writes its whole body before reading (Python's http.client):
 * answering early and closing would reset its connection mid-upload.
 */
async function drainBody(c: Context): Promise<void> {
  const body = c.req.raw.body;
  if (!body || body.locked) return;
  const reader = body.getReader();
  const deadline = Date.now() + DRAIN_MS;
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > DRAIN_BYTES || Date.now() > deadline) return;
    }
  } catch {
    // the client went away: nothing left to drain
  } finally {
    reader.releaseLock();
  }
}

/** Refuses requests from foreign browser pages on every method that can change state. */
export function originGuard(
  allowList: readonly string[],
  refuse: Refuse = refuseDetail,
): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const origin = c.req.header("origin");
    const headers = {
      origin,
      host: c.req.header("host"),
      forwardedHost: c.req.header("x-forwarded-host"),
    };
    if (originAllowed(headers, allowList)) return next();
    await drainBody(c);
    return refuse(c, 403, originRefusal(origin ?? ""));
  };
}

/** Refuses every request whose Host a loopback-bound server does not answer (host.ts). */
export function hostGuard(policy: HostPolicy, refuse: Refuse = refuseDetail): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host");
    if (hostAllowed(host, policy)) return next();
    await drainBody(c);
    return refuse(c, 403, hostRefusal(host ?? ""));
  };
}

/**
 * The body limit, answering 413 after draining what the client is still sending.
 * A body with a Content-Length (every client of ours sends one) is judged by the
 * header, as hono's `bodyLimit` judges it, but without touching `c.req.raw.body`:
 * that builds a web Request and stream around the Node request, which cost more
 * than the env step itself, where the route's `c.req.text()` otherwise reads the
 * Node request directly. A body without a length goes through `bodyLimit`, which
 * counts what it reads.
 */
export function sizeGuard(maxBytes: number, refuse: Refuse = refuseDetail): MiddlewareHandler {
  const tooLarge = async (c: Context) => {
    await drainBody(c);
    return refuse(c, 413, `request body larger than ${maxBytes} bytes`);
  };
  const counted = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > maxBytes ? tooLarge(c) : next();
    }
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return counted(c, next);
  };
}
