/**
 * Errors a client raises: the server's `error` frame code (VALIDATION_ERROR,
 * EXECUTION_ERROR, ...), a JSON-RPC error code as a string (`rpc:-32603`), an
 * HTTP status (`http:404`), or the client's own `timeout` / `closed`.
 * `details` carries the server's structured payload (e.g. validation errors).
 */
export class SeigeClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "SeigeClientError";
  }
}
