/**
 * The token half of Gemma 4's per-layer embeddings (PLE; ARCHITECTURES.md §1.3):
 * `P[ids] · √ple_dim`, one row of `n_layers · ple_dim` values per token, read
 * from the checkpoint by offset (`gatherRows`) so the table (4.7 GB in bf16 for
 * E2B) is never held in memory. Ids outside the PLE vocabulary read row 0, as
 * HF's `per_layer_inputs_mask` does. Both the reference forward and the ORT
 * runtime call this, so they agree on it by construction.
 *
 * Not here: the context half (a projection of the embedding, normalised) and
 * the mix `(ctx + tok) · 2^-½`, which the reference forward writes in TS and the
 * runtime runs as a graph (graph/ple.ts).
 */
import { gatherRows } from "./checkpoint.js";
import type { ModelConfig, TensorStore } from "./types.js";

export const PLE_TABLE = "embed_tokens_per_layer.weight";

/** [ids.length, n_layers · ple_dim], already scaled by the PLE embedding scale. */
export function pleTokenRows(c: ModelConfig, t: TensorStore, ids: ArrayLike<number>): Float32Array {
  const ple = c.gemma4?.ple;
  if (!ple) throw new RangeError(`pleTokenRows: ${c.modelType} has no per-layer embeddings`);
  const rows = Array.from(ids, (id) => (id >= 0 && id < ple.vocabSize ? id : 0));
  // Read each distinct row once (prompts repeat tokens; padding repeats the pad id).
  const distinct = [...new Set(rows)];
  const table = gatherRows(t, PLE_TABLE, distinct);
  const width = c.nLayers * ple.dim;
  const at = new Map(distinct.map((r, i) => [r, i]));
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    const src = at.get(r)! * width;
    for (let k = 0; k < width; k++) out[i * width + k] = table[src + k] * ple.embedScale;
  });
  return out;
}
