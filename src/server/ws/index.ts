/** The WebSocket side of the server: the /ws frame protocol and the two socket endpoints. */
export { errorFrame, type FrameOutcome, handleEnvFrame } from "./frames.js";
export { serveEnvSocket, serveMcpSocket } from "./sockets.js";
