/**
 * `seige lens serve`: an OpenAI-compatible chat endpoint (`/v1/chat/completions`
 * with tools, streaming, seeds; `/v1/models`) over the lens runtime, batching the
 * requests in flight. Used by LLM agents, `llm:` opponents and the black-box
 * target to run every LLM path locally on a tiny model. See docs/lens-serve.md.
 */
export { createOpenAIApp, type OpenAIAppContext, OpenAIHttpError } from "./app.js";
export {
  type BatcherOptions,
  type BatcherStats,
  GenerationBatcher,
  type Generator,
  type GenJob,
} from "./batcher.js";
export {
  type ChatRenderer,
  type ParsedToolCall,
  parseToolCalls,
  renderPrompt,
  templateSupportsTools,
  toolsSystemText,
} from "./prompt.js";
export * from "./schemas.js";
export { type OpenAIServeOptions, type RunningOpenAIServer, startOpenAIServer } from "./serve.js";
