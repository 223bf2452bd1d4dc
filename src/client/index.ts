/**
 * The typed seige client (browser-safe): `SeigeClient` over `/ws` and
 * `SeigeHttpClient` over HTTP. In Node 20 connect with `connectNode` from
 * `./node.js`, which injects the `ws` package's WebSocket.
 */
export { SeigeClientError } from "./errors.js";
export { type HttpClientOptions, SeigeHttpClient } from "./http-client.js";
export type {
  ClientAction,
  ResetOptions,
  StateReply,
  StepReply,
  ToolCallResult,
  ToolInfo,
  WireObservation,
} from "./protocol.js";
export {
  type ClientOptions,
  SeigeClient,
  type WebSocketFactory,
  type WebSocketLike,
  wsUrl,
} from "./ws-client.js";
