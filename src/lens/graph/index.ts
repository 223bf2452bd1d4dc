/**
 * Per-architecture ONNX graph builders: embedding, each decoder block whole and as
 * its attention and MLP halves, and unembedding. Splitting a block in two lets TS
 * read and write `hook_attn_out`, `hook_resid_mid` and `hook_mlp_out`; a step that
 * touches none of them runs the whole block at once.
 */
export { ATTN_INPUTS, ATTN_OUTPUTS, buildAttention } from "./attention.js";
export { BLOCK_OUTPUT, buildBlock } from "./block.js";
export { buildEmbed, buildUnembed, EMBED_IO, UNEMBED_IO } from "./embed.js";
export { buildMlp, MLP_INPUT, MLP_OUTPUT } from "./mlp.js";
export { buildPleInputs, buildPleLayer, PLE_INPUTS_IO, PLE_LAYER_IO } from "./ple.js";
export {
  attnWeights,
  embedWeights,
  mlpWeights,
  pleInputWeights,
  pleLayerWeights,
  unembedWeights,
} from "./weights.js";
