/**
 * HTTP episodes and their owners (seige's HTTP extension, docs/server.md,
 * "Security model"). `POST /reset` makes an episode whose id the server
 * chooses and hands its creator an owner token; `/step` and `/state` act on an
 * episode only with that token (`Authorization: Bearer <token>`). A client
 * that sends its token on the next reset stays the same owner, so its episodes
 * are counted together.
 *
 * The pool is bounded. When it is full a reset evicts, in this order: the
 * caller's own least recently used episode, then any finished or expired
 * episode (least recently used first); otherwise it is refused
 * (`session_limit`, HTTP 503). Another client's live episode is never evicted.
 * An unknown id and an episode owned by someone else give the same not_found,
 * so a token cannot be used to learn which ids exist.
 *
 * This file holds no transport and no game: it makes and finds `Session`s.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { SeigeError } from "../util/errors.js";
import type { Session } from "./session.js";
import type { ServerLimits } from "./types.js";

interface Entry {
  session: Session;
  owner: string;
}

/** 192 random bits, URL-safe: pasteable into a curl header. */
const newToken = () => randomBytes(24).toString("base64url");

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class HttpEpisodePool {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly make: (id: string) => Session,
    private readonly limits: ServerLimits,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Every live episode's session (for the reaper and shutdown). */
  sessions(): Session[] {
    return [...this.entries.values()].map((e) => e.session);
  }

  /**
   * A new, not yet admitted episode with a server-made id, for the owner of
   * `token` when it owns a live episode, else for a new owner. Refuses early
   * (`session_limit`) when the pool is full and nothing may be evicted; nothing
   * is evicted yet, so a reset that then fails changes nothing.
   */
  prepare(token: string | null): { session: Session; token: string } {
    const owner =
      token !== null && [...this.entries.values()].some((e) => sameToken(e.owner, token))
        ? token
        : newToken();
    if (this.entries.size >= this.limits.maxHttpEpisodes && !this.evictable(owner)) this.refuse();
    return { session: this.make(randomUUID()), token: owner };
  }

  /** Adds a prepared episode once its reset succeeded, evicting one if the pool is full. */
  admit(session: Session, token: string): void {
    if (this.entries.size >= this.limits.maxHttpEpisodes) {
      const victim = this.evictable(token);
      if (!victim) {
        session.close();
        this.refuse();
      }
      this.close(victim.session.id);
    }
    this.entries.set(session.id, { session, owner: token });
  }

  private refuse(): never {
    throw new SeigeError(
      "session_limit",
      `all ${this.limits.maxHttpEpisodes} HTTP episodes are in use by other clients; retry later, or play over the WebSocket /ws`,
    );
  }

  /** The episode `id` when `token` owns it; otherwise the same not_found as an unknown id. */
  get(id: string, token: string): Session {
    const entry = this.entries.get(id);
    if (!entry || !sameToken(entry.owner, token)) {
      throw new SeigeError(
        "not_found",
        `no episode '${id.slice(0, 80)}' for this owner token: it was never created, belongs to another client, was evicted, or expired after ${this.limits.idleTimeoutMs / 1000} s idle; POST /reset to start one`,
      );
    }
    return entry.session;
  }

  /** Closes the episode with this id; true if there was one. */
  close(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.session.close();
    return true;
  }

  /** Which episode a reset by `owner` may replace when the pool is full, or null. */
  private evictable(owner: string): Entry | null {
    const cutoff = this.clock() - this.limits.idleTimeoutMs;
    const lru = (pick: (e: Entry) => boolean): Entry | null => {
      let best: Entry | null = null;
      for (const e of this.entries.values())
        if (pick(e) && (!best || e.session.lastUsed < best.session.lastUsed)) best = e;
      return best;
    };
    return (
      lru((e) => e.owner === owner) ??
      lru((e) => e.session.done || (e.session.lastUsed < cutoff && e.session.depth === 0))
    );
  }
}
