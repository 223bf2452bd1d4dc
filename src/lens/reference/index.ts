/**
 * The plain-TypeScript reference forward (the lens runtime's test oracle) and the
 * maths it is built from.
 */
export { type ReferenceOptions, type ReferenceResult, referenceForward } from "./forward.js";
export { type HookFn, HookRunner } from "./hook-runner.js";
export * as ops from "./ops.js";
