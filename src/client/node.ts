/**
 * Node's entry to the client: Node 20 has no global WebSocket, so this file
 * injects `ws`'s. Kept out of index.ts so a browser bundle never pulls in `ws`.
 */
import { WebSocket } from "ws";
import type { ClientOptions, WebSocketLike } from "./ws-client.js";
import { SeigeClient } from "./ws-client.js";

export function nodeWebSocket(url: string): WebSocketLike {
  return new WebSocket(url, { perMessageDeflate: false }) as unknown as WebSocketLike;
}

/** `SeigeClient.connect` with `ws` as the socket. */
export function connectNode(
  baseUrl: string,
  options: Omit<ClientOptions, "webSocket"> = {},
): Promise<SeigeClient> {
  return SeigeClient.connect(baseUrl, { ...options, webSocket: nodeWebSocket });
}
