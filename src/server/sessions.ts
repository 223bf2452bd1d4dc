/**
 * The session manager: every live environment of the server, the capacity
 * limit, and the idle reaper. Two pools:
 * - counted sessions (`ws`, `mcp`): /ws and /mcp connections and MCP sessions
 *   from `openenv/session/create`, limited by `maxSessions` as OpenEnv limits
 *   `max_concurrent_envs` (PROTOCOL.md §1.9); over the limit, `open` says no;
 * - HTTP episodes (`http`), seige's HTTP extension: owned by the client that
 *   reset them, limited separately (http-episodes.ts), so a trainer that never
 *   cleans up cannot lock out WebSocket clients, nor one HTTP client another.
 * Closing a session drops the manager's reference to its env; nothing else
 * holds it, so its memory is freed once in-flight work ends.
 */
import { randomUUID } from "node:crypto";
import { SeigeError } from "../util/errors.js";
import { HttpEpisodePool } from "./http-episodes.js";
import { Session, type SessionKind } from "./session.js";
import type { EnvFactory, ServerLimits } from "./types.js";

export type Clock = () => number;

export class SessionManager {
  private readonly counted = new Map<string, Session>();
  readonly http: HttpEpisodePool;
  private readonly onClose = new Map<string, () => void>();
  private reaper: NodeJS.Timeout | null = null;

  constructor(
    private readonly createEnv: EnvFactory,
    readonly limits: ServerLimits,
    private readonly clock: Clock = Date.now,
  ) {
    this.http = new HttpEpisodePool((id) => this.make(id, "http"), limits, clock);
  }

  get active(): number {
    return this.counted.size;
  }

  get httpEpisodes(): number {
    return this.http.size;
  }

  /** Opens a counted session, or returns null at capacity. `onIdle` runs if the reaper closes it. */
  open(kind: Exclude<SessionKind, "http">, onIdle?: () => void): Session | null {
    if (this.counted.size >= this.limits.maxSessions) return null;
    const session = this.make(randomUUID(), kind);
    this.counted.set(session.id, session);
    if (onIdle) this.onClose.set(session.id, onIdle);
    return session;
  }

  capacityMessage(): string {
    const n = this.counted.size;
    return `Server at capacity: ${n}/${this.limits.maxSessions} sessions active. Cannot accept new connections.`;
  }

  /** The HTTP episode `id` if `token` owns it, marked as used. */
  httpEpisode(id: string, token: string): Session {
    return this.touch(this.http.get(id, token));
  }

  /** A live counted session (connection or MCP session) by id, or a not_found error. */
  get(id: string, kinds: Exclude<SessionKind, "http">[]): Session {
    const s = this.counted.get(id);
    if (!s || !kinds.includes(s.kind as Exclude<SessionKind, "http">)) {
      throw new SeigeError(
        "not_found",
        `unknown session '${id.slice(0, 80)}': it was never created, was closed, or expired after ${this.limits.idleTimeoutMs / 1000} s idle`,
      );
    }
    return this.touch(s);
  }

  /** Whether a counted session (connection or MCP session) has this id. */
  has(id: string): boolean {
    return this.counted.has(id);
  }

  touch(s: Session): Session {
    s.lastUsed = this.clock();
    return s;
  }

  /** Closes the session with this id in `pool` (both pools' ids are server-made UUIDs). */
  close(id: string, pool: "counted" | "http" = "counted"): boolean {
    if (pool === "http") return this.http.close(id);
    const s = this.counted.get(id);
    if (!s) return false;
    this.counted.delete(id);
    const hook = this.onClose.get(id);
    this.onClose.delete(id);
    s.close();
    hook?.();
    return true;
  }

  /** Closes every session idle longer than the timeout; returns how many. */
  reap(): number {
    const cutoff = this.clock() - this.limits.idleTimeoutMs;
    let n = 0;
    for (const [pool, list] of [
      ["counted", [...this.counted.values()]],
      ["http", this.http.sessions()],
    ] as const) {
      for (const s of list) {
        // A session busy with a request is not idle, however long the request takes.
        if (s.lastUsed < cutoff && s.depth === 0 && this.close(s.id, pool)) n++;
      }
    }
    return n;
  }

  /** Starts the idle reaper (interval a quarter of the timeout, at least 1 s, at most 60 s). */
  startReaper(): void {
    if (this.reaper) return;
    const every = Math.min(60_000, Math.max(1000, this.limits.idleTimeoutMs / 4));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
  }

  closeAll(): void {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = null;
    for (const id of [...this.counted.keys()]) this.close(id, "counted");
    for (const s of this.http.sessions()) this.close(s.id, "http");
  }

  /** A throwaway env for stateless calls (GET /state without an id, MCP without a session). */
  scratch(): Session {
    return this.make(randomUUID(), "mcp");
  }

  private make(id: string, kind: SessionKind): Session {
    const ready = Promise.resolve().then(() => this.createEnv());
    const session = new Session(id, kind, ready, this.clock());
    return session;
  }
}
