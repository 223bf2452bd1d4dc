/**
 * Which `Host` a loopback-bound server answers (DNS-rebinding defence; docs/server.md,
 * "Security model"). A page on `evil.example` can re-point its own name at
 * 127.0.0.1; the browser then treats our server as that page's own origin, so
 * the origin check (origin.ts) passes. The `Host` header still says
 * `evil.example:PORT`, which a page cannot change. So, bound to a loopback
 * address, a request is answered only when its `Host` is a loopback name or
 * address (`localhost`, `127.x.x.x`, `[::1]`) on any port, or an entry of
 * `SEIGE_ALLOWED_HOSTS` (comma-separated `host` or `host:port`, `*` for any). The
 * port is not checked: a rebinding page cannot make its name a loopback name, and
 * a reverse proxy on the same machine (a Space-style path prefix) forwards its
 * own `localhost:PORT`.
 * A request without `Host` (HTTP/1.0, never a browser) is answered.
 *
 * Bound to any other address (0.0.0.0 in containers) there is no Host check: the
 * server is reachable under names it cannot know, and access control is the
 * operator's (docs/server.md). It decides only; the guards answer.
 */
import { isIP } from "node:net";

export interface HostPolicy {
  /** the address the server listens on */
  bound: string;
  /** the port it listens on (set once listening: port 0 picks one) */
  port: number;
  /** extra `host` / `host:port` entries, lower case, or `*` */
  allowList: readonly string[];
}

/** Whether a name or address is this machine's loopback. */
function isLoopback(name: string): boolean {
  const h = name.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1" || h === "0:0:0:0:0:0:0:1";
}

/** Whether a server bound to `address` checks Host at all. */
export const checksHost = (address: string): boolean => isLoopback(address);

/** Splits `name[:port]` / `[v6][:port]`; null when malformed. */
export function splitHost(value: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

/** The decision for one request's `Host` header. */
export function hostAllowed(host: string | undefined, policy: HostPolicy): boolean {
  if (!checksHost(policy.bound)) return true;
  if (host === undefined || host === "") return true;
  if (policy.allowList.includes("*")) return true;
  const parsed = splitHost(host);
  if (!parsed) return false;
  if (isLoopback(parsed.name)) return true;
  const port = parsed.port ?? 80;
  return (
    policy.allowList.includes(parsed.name) || policy.allowList.includes(`${parsed.name}:${port}`)
  );
}

/** The refusal's text: what was refused and how an operator allows it. */
export const hostRefusal = (host: string): string =>
  `request for host '${host.slice(0, 200)}' refused: this server is bound to loopback and answers only localhost, 127.0.0.1 or [::1] (a defence against DNS rebinding); the operator can allow hosts in SEIGE_ALLOWED_HOSTS`;
