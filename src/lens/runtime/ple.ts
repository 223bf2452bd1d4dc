/**
 * Gemma 4's per-layer embeddings at run time: one session computes every
 * layer's PLE input for a step (graph/ple.ts `buildPleInputs`, fed the hooked
 * embedding and the token rows that ple.ts gathers from the checkpoint by
 * offset), and one small session per layer computes that layer's injection
 * (`hook_ple_out`). engine.ts calls `inputs` once per step after `hook_embed`
 * and `inject` per layer after `hook_mlp_out`; the residual add, the hook and
 * `layer_scalar` stay in the engine so they read like the reference forward.
 */
import {
  buildPleInputs,
  buildPleLayer,
  PLE_INPUTS_IO,
  PLE_LAYER_IO,
  pleInputWeights,
  pleLayerWeights,
} from "../graph/index.js";
import type { GraphBuilder } from "../onnx/index.js";
import type { LensSession } from "../ort.js";
import { pleTokenRows } from "../ple.js";
import type { ModelConfig, TensorStore } from "../types.js";

export class PleRuntime {
  private constructor(
    private readonly config: ModelConfig,
    private readonly tensors: TensorStore,
    private readonly inputsSession: LensSession,
    private readonly layers: LensSession[],
  ) {}

  static async create(
    config: ModelConfig,
    tensors: TensorStore,
    load: (g: GraphBuilder) => Promise<LensSession>,
  ): Promise<PleRuntime> {
    const inputs = await load(buildPleInputs(config, pleInputWeights(tensors, config)));
    const layers: LensSession[] = [];
    for (let l = 0; l < config.nLayers; l++)
      layers.push(await load(buildPleLayer(config, pleLayerWeights(tensors, config, l), l)));
    return new PleRuntime(config, tensors, inputs, layers);
  }

  /** ple [B,T,L,P] for this step's ids and their (hooked) embedding [B,T,D]. */
  async inputs(
    ids: ArrayLike<number>,
    embed: Float32Array,
    b: number,
    t: number,
  ): Promise<Float32Array> {
    const { nLayers: L, dModel: d } = this.config;
    const dim = this.config.gemma4!.ple!.dim;
    const tok = pleTokenRows(this.config, this.tensors, ids);
    const r = await this.inputsSession.run({
      [PLE_INPUTS_IO.embed]: { data: embed, dims: [b, t, d] },
      [PLE_INPUTS_IO.tok]: { data: tok, dims: [b, t, L * dim] },
    });
    return r[PLE_INPUTS_IO.out].data;
  }

  /** Layer `l`'s injection [B,T,D] from x = resid_mid + mlp_out and the step's ple [B,T,L,P]. */
  async inject(
    l: number,
    x: Float32Array,
    ple: Float32Array,
    b: number,
    t: number,
  ): Promise<Float32Array> {
    const { nLayers: L, dModel: d } = this.config;
    const dim = this.config.gemma4!.ple!.dim;
    const slice = new Float32Array(b * t * dim); // ple[:, :, l, :]
    for (let r = 0; r < b * t; r++)
      slice.set(ple.subarray((r * L + l) * dim, (r * L + l + 1) * dim), r * dim);
    const out = await this.layers[l].run({
      [PLE_LAYER_IO.x]: { data: x, dims: [b, t, d] },
      [PLE_LAYER_IO.ple]: { data: slice, dims: [b, t, dim] },
    });
    return out[PLE_LAYER_IO.out].data;
  }

  async release(): Promise<void> {
    await this.inputsSession.release();
    for (const s of this.layers) await s.release();
  }
}
