/** MCP for the server: the JSON-RPC handler and the game's actions as tools. */
export { handleRpc, type RpcResponse, type RpcScope, rpcError, toolResult } from "./rpc.js";
export { findTool, TOOLS, type ToolDef, toolAction, toolList } from "./tools.js";
