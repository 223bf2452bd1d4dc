/**
 * What every transport's handlers share: the session manager, the server's
 * metadata, and a log sink (stderr in `seige serve`, silent in tests).
 */
import type { HostPolicy } from "./host.js";
import type { SessionManager } from "./sessions.js";
import type { ServerInfo } from "./types.js";

export interface ServerContext {
  sessions: SessionManager;
  info: ServerInfo;
  log: (line: string) => void;
  /** folder of the built web page served under /web (default the package's dist/web) */
  webRoot?: string;
  /** folder of `seige train` runs served read-only under /runs (SEIGE_LEARNED_DIR; none when absent) */
  runsRoot?: string;
  /** browser origins allowed besides the server's own (SEIGE_ALLOWED_ORIGINS; origin.ts) */
  allowedOrigins?: readonly string[];
  /** the Host check of a loopback-bound server (SEIGE_ALLOWED_HOSTS; host.ts); none when absent */
  hostPolicy?: HostPolicy;
}
