/**
 * Which browser pages may use this server (issue 11, item 5; docs/server.md,
 * "Security model"). A browser names the page that made a request in the
 * `Origin` header, and sends it on every cross-site POST and WebSocket
 * handshake, even those a page may send without asking (CORS "simple"
 * requests). So:
 * - no `Origin`: not a browser page (curl, Python, the TS client): allowed;
 * - the server's own origin (its `/web` page; `Origin`'s host equals `Host`,
 *   or `X-Forwarded-Host` behind a proxy, which pages cannot set): allowed;
 * - an origin the operator lists in `SEIGE_ALLOWED_ORIGINS` (comma-separated,
 *   `*` for any): allowed;
 * - anything else, `null` included: refused.
 * It decides only; the HTTP app and the upgrade handler answer.
 */

export type OriginAllowList = readonly string[];

/** The decision for one request's headers. */
export function originAllowed(
  headers: { origin?: string; host?: string; forwardedHost?: string },
  allowList: OriginAllowList,
): boolean {
  const { origin } = headers;
  if (origin === undefined || origin === "") return true;
  if (allowList.includes("*")) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" and other opaque origins
  }
  if (allowList.includes(parsed.origin)) return true;
  const own = [headers.host, ...(headers.forwardedHost ?? "").split(",")]
    .map((h) => h?.trim().toLowerCase())
    .filter((h): h is string => !!h);
  return own.includes(parsed.host.toLowerCase());
}

/** The refusal's text: what was refused and how an operator allows it. */
export const originRefusal = (origin: string): string =>
  `cross-origin request from ${origin.slice(0, 200)} refused: only the server's own /web page and non-browser clients may connect; the operator can allow origins in SEIGE_ALLOWED_ORIGINS`;
