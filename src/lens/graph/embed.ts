/**
 * Embedding and unembedding graphs.
 * - embed: ids [B,T] (int64) → Gather(E) · embedScale → `hook_embed` [B,T,D];
 *   for GPT-2 also `pos_embed` = Gather(wpe, positions), added in TS, so that
 *   `hook_embed` is the token embedding alone, as in TransformerLens, and
 *   `resid_pre(0) = hook_embed + pos_embed`. Elsewhere resid_pre(0) = hook_embed.
 * - unembed: x [B,T,D] → final norm → lm_head → final soft-cap (Gemma 2) → logits.
 *   Callers pass only the rows they need (the last position when generating),
 *   which is why the head is its own graph.
 * A tied head is stored twice (Gather table and MatMul weight): ORT cannot share
 * an initializer across sessions, and the MatMul copy is prepacked.
 */
import { DataType, GraphBuilder } from "../onnx/index.js";
import type { ModelConfig } from "../types.js";
import { linear, norm } from "./ops.js";
import type { EmbedWeights, UnembedWeights } from "./weights.js";

export const EMBED_IO = {
  ids: "ids",
  positions: "positions",
  out: "embed",
  posOut: "pos_embed",
} as const;
export const UNEMBED_IO = { x: "x", logits: "logits" } as const;

export function buildEmbed(cfg: ModelConfig, w: EmbedWeights): GraphBuilder {
  const g = new GraphBuilder("embed");
  const ids = g.input(EMBED_IO.ids, ["B", "T"], DataType.INT64);
  let e = g.op("Gather", [g.weight("wte", w.tokens.data, w.tokens.shape), ids]); // [B,T,D]
  if (cfg.embedScale !== 1) e = g.op("Mul", [e, g.scalar(cfg.embedScale)]);
  if (w.positions) {
    const pos = g.input(EMBED_IO.positions, ["B", "T"], DataType.INT64);
    const p = g.op("Gather", [g.weight("wpe", w.positions.data, w.positions.shape), pos]);
    g.output(p, EMBED_IO.posOut, ["B", "T", cfg.dModel]);
  }
  g.output(e, EMBED_IO.out, ["B", "T", cfg.dModel]);
  return g;
}

export function buildUnembed(cfg: ModelConfig, w: UnembedWeights): GraphBuilder {
  const g = new GraphBuilder("unembed");
  const x = g.input(UNEMBED_IO.x, ["B", "T", cfg.dModel]);
  let logits = linear(g, norm(g, cfg, x, w.norm, "ln_f"), w.head, undefined, "lm_head"); // [B,T,V]
  if (cfg.finalSoftcap !== null) {
    logits = g.op("Mul", [
      g.op("Tanh", [g.op("Div", [logits, g.scalar(cfg.finalSoftcap)])]),
      g.scalar(cfg.finalSoftcap),
    ]);
  }
  g.output(logits, UNEMBED_IO.logits, ["B", "T", cfg.vocabSize]);
  return g;
}
