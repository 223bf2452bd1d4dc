/**
 * seige lens: a white-box transformer runtime in TypeScript. HuggingFace
 * checkpoints (Llama/SmolLM2, Qwen2/2.5/3, GPT-2, Gemma 2/3, Gemma 4 text) compiled into ONNX
 * graphs on onnxruntime-node, with TransformerLens hook names on the residual
 * stream, declarative JSON interventions, TS hook functions, a KV cache and
 * batched generation; plus a plain-TS reference forward used as the test oracle.
 * See docs/lens.md.
 */
export {
  type AttributionOptions,
  type AttributionResult,
  attributionPatching,
  type SiteEffect,
} from "./attribution.js";
export {
  type Checkpoint,
  expectedTensors,
  loadCheckpoint,
  memoryTensorStore,
} from "./checkpoint.js";
export { parseConfig, SUPPORTED_MODEL_TYPES } from "./config.js";
export {
  asciiVocabulary,
  BACKWARD_COST,
  type GcgOptions,
  gcg,
  randomSearch,
  type SuffixProblem,
  type SuffixSearchResult,
} from "./gcg.js";
export * from "./grad/index.js";
export * from "./hooks.js";
export { type CaptureResult, validateInterventions } from "./intervene.js";
export * from "./interventions.js";
export {
  type CacheResult,
  type ForwardResult,
  fromTensors,
  type HooksResult,
  LensModel,
  type LoadModelOptions,
  loadModel,
} from "./model.js";
export { type ExecutionProvider, ORT_VERSION } from "./ort.js";
export { type QuantName, quantizedView } from "./quant.js";
export {
  type ReferenceOptions,
  type ReferenceResult,
  referenceForward,
} from "./reference/index.js";
export type { GenerateOptions, GenerateResult, HookFn, SamplingOptions } from "./runtime/index.js";
export {
  type LearnedSteering,
  type LearnSteeringOptions,
  learnSteeringVector,
  type SteeringExample,
} from "./steering.js";
export { type MakeTinyOptions, makeTinyCheckpoint, TINY_ARCHS, type TinyArch } from "./tiny.js";
export {
  type ChatMessage,
  type ChatTemplateOptions,
  type LensTokenizer,
  loadTokenizer,
} from "./tokenizer.js";
export type { Architecture, ModelConfig, Tensor, TensorStore } from "./types.js";
