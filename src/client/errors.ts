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

/** A JSON-RPC 2.0 reply as the server sends it (over /mcp or a /ws `mcp` frame). */
export interface RpcReply {
  result?: unknown;
  error?: { code: number; message: string; data: unknown };
}

/** The reply's result, or a SeigeClientError (`rpc:<code>`) for a JSON-RPC error. */
export function unwrapRpcReply(reply: RpcReply): unknown {
  if (reply.error)
    throw new SeigeClientError(`rpc:${reply.error.code}`, reply.error.message, reply.error.data);
  return reply.result;
}
