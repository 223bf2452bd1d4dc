/**
 * What the server needs from an environment, and the limits it enforces. The
 * server never builds the game itself: it is handed a factory, so tests can
 * serve any env and `seige serve` serves `SeigeEnv` over one shared target
 * (whose backend batches the sessions' requests).
 */
import type { Action, StepResult } from "../arena/schema.js";
import type { EnvResetOptions } from "../env/options.js";

/** The surface of `SeigeEnv` the server uses (it satisfies this structurally). */
export interface ServerEnv {
  reset(options: EnvResetOptions): Promise<StepResult>;
  step(action: Action): Promise<StepResult>;
  /** public, non-hidden state (GAME.md §1) */
  state(): object;
  /** the acting role's current view, without stepping */
  observe(): unknown;
  readonly done: boolean;
}

export type EnvFactory = () => ServerEnv | Promise<ServerEnv>;

export interface ServerLimits {
  /** concurrent sessions: /ws and /mcp connections plus MCP sessions (SEIGE_MAX_SESSIONS) */
  maxSessions: number;
  /** live HTTP episodes (POST /reset without /ws); the least recently used is evicted (SEIGE_MAX_HTTP_EPISODES) */
  maxHttpEpisodes: number;
  /** a session with no request for this long is closed (SEIGE_SESSION_IDLE_S) */
  idleTimeoutMs: number;
  /** largest WebSocket frame accepted; larger closes the connection with 1009 (SEIGE_MAX_FRAME_BYTES) */
  maxFrameBytes: number;
  /** largest HTTP body accepted; larger is 413 (SEIGE_MAX_BODY_BYTES) */
  maxBodyBytes: number;
  /** frames a client may send ahead of its replies before the server closes it (1008) */
  maxQueuedFrames: number;
}

export interface ServerInfo {
  name: string;
  description: string;
  version: string;
  readme_content: string | null;
  author: string | null;
  documentation_url: string | null;
}
