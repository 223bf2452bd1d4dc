/**
 * LLM policies over OpenAI-compatible endpoints: the `llm:<url>#<model>` spec,
 * the per-role prompt, reply parsing with malformed-reply accounting, and the
 * policy itself. See docs/agents.md.
 */
export {
  extractJsonObject,
  MALFORMED_KINDS,
  type MalformedKind,
  type ParseResult,
  parseReply,
  parseText,
} from "./parse.js";
export {
  type ChatFn,
  defaultAction,
  emptyStats,
  fallbacks,
  LlmPolicy,
  type LlmStats,
  llmPolicy,
} from "./policy.js";
export { buildMessages, legalTools, toolSpecs } from "./prompt.js";
export { LLM_DEFAULTS, type LlmOptions, parseLlmSpec } from "./spec.js";
