/**
 * The embedding step of the engine: ids → `hook_embed` [B,T,D] (and GPT-2's
 * position embedding, added after the hook). For RoPE models the rows are
 * gathered from the checkpoint by offset (`gatherRows`) and scaled in TS, so a
 * tied embedding is held once — as the head's MatMul weight, quantised or not —
 * and never as a second in-memory Gather table. A table of at most
 * `HELD_TABLE_BYTES` is the exception: it is decoded once and held, since reading
 * a few rows from the file at every decode step (open, a read per row, close) cost
 * more than the table's memory on a small model. GPT-2 keeps its small Gather
 * graph (learned positions ride along). The f32 product `row · embedScale` is
 * the same either way.
 */
import { embedName, gatherRows, memoryTensorStore } from "../checkpoint.js";
import { buildEmbed, EMBED_IO, embedWeights } from "../graph/index.js";
import type { GraphBuilder } from "../onnx/index.js";
import type { LensSession } from "../ort.js";
import type { ModelConfig, TensorStore } from "../types.js";

/** Embedding tables up to this size are held in memory (a 1 MB organism table, not a 0.5 GB Qwen one). */
export const HELD_TABLE_BYTES = 16 * 2 ** 20;

export class Embedder {
  private constructor(
    private readonly config: ModelConfig,
    private readonly tensors: TensorStore,
    private readonly session: LensSession | null,
  ) {}

  static async create(
    config: ModelConfig,
    tensors: TensorStore,
    load: (g: GraphBuilder) => Promise<LensSession>,
  ): Promise<Embedder> {
    const session = config.absolutePositions
      ? await load(buildEmbed(config, embedWeights(tensors, config)))
      : null;
    const name = embedName(config);
    const held =
      !session && config.vocabSize * config.dModel * 4 <= HELD_TABLE_BYTES
        ? memoryTensorStore(new Map([[name, tensors.get(name)]]))
        : tensors;
    return new Embedder(config, held, session);
  }

  /** `embed` is hook_embed's value; `pos` (GPT-2 only) is added to it after the hook. */
  async run(
    ids: ArrayLike<number>,
    positions: Int32Array,
    b: number,
    t: number,
  ): Promise<{ embed: Float32Array; pos?: Float32Array }> {
    if (!this.session) {
      const rows = gatherRows(this.tensors, embedName(this.config), Array.from(ids));
      const s = this.config.embedScale;
      if (s !== 1) for (let i = 0; i < rows.length; i++) rows[i] *= s;
      return { embed: rows };
    }
    const big = (xs: ArrayLike<number>) => BigInt64Array.from(Array.from(xs, (v) => BigInt(v)));
    const e = await this.session.run({
      [EMBED_IO.ids]: { data: big(ids), dims: [b, t] },
      [EMBED_IO.positions]: {
        data: big(Array.from(positions, (p) => Math.max(0, p))),
        dims: [b, t],
      },
    });
    return { embed: e[EMBED_IO.out].data, pos: e[EMBED_IO.posOut].data };
  }

  async release(): Promise<void> {
    await this.session?.release();
  }
}
