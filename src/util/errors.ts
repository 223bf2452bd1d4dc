/**
 * Typed errors with string codes (STYLE.md §10). The server maps each code to an
 * HTTP status and a JSON-RPC code in one place; here we only name them. A message
 * tells the caller what to do and never reveals hidden game state (GAME.md §1).
 */

export type SeigeErrorCode =
  | "validation_error" // malformed input, rejected at the boundary (HTTP 422)
  | "execution_error" // well-formed, but cannot run now (e.g. a step after done)
  | "not_found"
  | "session_limit"
  | "config_error" // bad configuration, missing files, unsupported architecture
  | "replay_mismatch"
  | "backend_unavailable"; // e.g. activations on a black-box target

export class SeigeError extends Error {
  readonly code: SeigeErrorCode;
  readonly details?: unknown;

  constructor(code: SeigeErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "SeigeError";
    this.code = code;
    this.details = details;
  }
}

export function isSeigeError(e: unknown): e is SeigeError {
  return e instanceof SeigeError;
}
