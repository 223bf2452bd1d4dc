/**
 * The one place where seige's error codes meet the protocol's (STYLE.md §10):
 * `SeigeError` codes to HTTP status, to the `/ws` `WSErrorCode` strings and to
 * JSON-RPC codes (PROTOCOL.md §1.3, §2.3, §3.2). An error that is not a
 * SeigeError is a bug: callers see a generic message (its text could carry
 * hidden state, GAME.md §1) and the server log gets the details.
 */
import { isSeigeError, type SeigeErrorCode } from "../util/errors.js";

export const WS_ERROR = {
  INVALID_JSON: "INVALID_JSON",
  UNKNOWN_TYPE: "UNKNOWN_TYPE",
  VALIDATION_ERROR: "VALIDATION_ERROR",
  EXECUTION_ERROR: "EXECUTION_ERROR",
  CAPACITY_REACHED: "CAPACITY_REACHED",
  FACTORY_ERROR: "FACTORY_ERROR",
  SESSION_ERROR: "SESSION_ERROR",
} as const;
export type WsErrorCode = (typeof WS_ERROR)[keyof typeof WS_ERROR];

export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVER_ERROR: -32000,
} as const;

const HTTP_STATUS: Record<SeigeErrorCode, number> = {
  validation_error: 422,
  execution_error: 409, // well-formed but not now: e.g. a step after done
  not_found: 404,
  session_limit: 503,
  config_error: 500,
  replay_mismatch: 500,
  backend_unavailable: 503,
};

const WS_CODE: Record<SeigeErrorCode, WsErrorCode> = {
  validation_error: "VALIDATION_ERROR",
  execution_error: "EXECUTION_ERROR",
  not_found: "EXECUTION_ERROR",
  session_limit: "CAPACITY_REACHED",
  config_error: "EXECUTION_ERROR",
  replay_mismatch: "EXECUTION_ERROR",
  backend_unavailable: "EXECUTION_ERROR",
};

// OpenEnv answers bad tool arguments and tool failures with -32603 (PROTOCOL.md §3.3).
const RPC_CODE: Record<SeigeErrorCode, number> = {
  validation_error: RPC.INTERNAL_ERROR,
  execution_error: RPC.INTERNAL_ERROR,
  not_found: RPC.INVALID_PARAMS,
  session_limit: RPC.SERVER_ERROR,
  config_error: RPC.INTERNAL_ERROR,
  replay_mismatch: RPC.INTERNAL_ERROR,
  backend_unavailable: RPC.INTERNAL_ERROR,
};

export interface MappedError {
  status: number;
  ws: WsErrorCode;
  rpc: number;
  /** safe to show the caller */
  message: string;
  /** true when the error was unexpected (log it) */
  internal: boolean;
}

export const INTERNAL_MESSAGE =
  "internal error in the environment; the server logged it. The session is still open: reset to start over";

export function mapError(e: unknown): MappedError {
  if (isSeigeError(e))
    return {
      status: HTTP_STATUS[e.code],
      ws: WS_CODE[e.code],
      rpc: RPC_CODE[e.code],
      message: e.message,
      internal: false,
    };
  return {
    status: 500,
    ws: "EXECUTION_ERROR",
    rpc: RPC.INTERNAL_ERROR,
    message: INTERNAL_MESSAGE,
    internal: true,
  };
}
