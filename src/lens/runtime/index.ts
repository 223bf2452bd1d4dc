/** The ORT-backed forward engine, KV cache, batching, sampling and intervention plumbing. */
export {
  Engine,
  type EngineOptions,
  type HookVisitor,
  type KvCache,
  type StepInput,
  type StepOutput,
} from "./engine.js";
export { type GenerateOptions, type GenerateResult, generateBatch } from "./generate.js";
export { attentionMask, MASKED } from "./mask.js";
export { compilePlan, type SequencePlan } from "./plan.js";
export { inverseFrequencies, ropeTables } from "./rope.js";
export { argmax, type SamplingOptions, sampleToken } from "./sample.js";
export { type HookFn, headMasks, makeVisitor } from "./visitor.js";
