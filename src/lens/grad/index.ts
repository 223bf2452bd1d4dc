/**
 * Gradients through the lens runtime: backward graphs per half-block built from
 * standard ONNX ops (block.ts, head.ts, ops.ts), the walk down the residual
 * stream (backward.ts), the loss heads (loss.ts) and `computeGradient`, which
 * `LensModel.grad` calls. See docs/lens-grad.md.
 */
export { type GradOptions, type GradResult, resolveWrt } from "./gradient.js";
export {
  type LossInput,
  LossSchema,
  type LossSpec,
  lossValue,
  parseLoss,
  parseLossFlag,
  probeScore,
  runTokens,
} from "./loss.js";
