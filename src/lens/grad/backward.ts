/**
 * `GradEngine`: the backward sessions (one per half-block, plus the head and,
 * on demand, the token-gradient graph) and the walk down the residual stream
 * that strings them together, mirroring the forward engine in reverse:
 *
 *   g = head(resid_post(L−1))                  // or 0 when the loss is a probe
 *   for l = L−1 … 0:
 *     g(resid_post l) += source;  g(mlp_out l)  = g + source
 *     g += mlp_grad_l(resid_mid l, g(mlp_out l))          // residual identity + MLP
 *     g(resid_mid l)  += source;  g(attn_out l) = g + source
 *     g += attn_grad_l(resid_pre l, g(attn_out l))        // also dz = g(attn.hook_z l)
 *     g(resid_pre l)  += source
 *   g(hook_embed) = g(resid_pre 0)             // GPT-2's position add is an identity too
 *
 * "source" is a loss that reads a hook directly (a probe). Only the residual
 * stream at each block's two inputs is kept from the forward pass (2·L·T·d
 * floats); everything inside a half-block is recomputed by its grad graph.
 * Layers above the highest source are skipped while the gradient is still zero,
 * and the walk stops below the lowest hook asked for.
 *
 * Sessions are built lazily by the model on the first gradient request, so a
 * model that never asks for gradients pays nothing. They hold their own copy of
 * the weights (ORT cannot share initializers across sessions).
 */
import { attnWeights, embedWeights, mlpWeights, unembedWeights } from "../graph/index.js";
import {
  attnOut,
  attnZ,
  type HookName,
  hookEmbed,
  mlpOut,
  parseHookName,
  residMid,
  residPost,
  residPre,
} from "../hooks.js";
import type { GraphBuilder } from "../onnx/index.js";
import { createSession, type LensSession, type OrtFeed, type SessionOptions } from "../ort.js";
import { attentionMask } from "../runtime/mask.js";
import { inverseFrequencies, ropeTables } from "../runtime/rope.js";
import type { ModelConfig, TensorStore } from "../types.js";
import { buildAttentionGrad, buildMlpGrad, GRAD_IO } from "./block.js";
import { buildHeadGrad, buildTokenGrad, HEAD_IO, TOKEN_IO } from "./head.js";

export interface GradEngineOptions extends SessionOptions {
  externalAbove?: number;
}

/** What the forward pass kept: each block's resid_pre and resid_mid, and the last resid_post. */
export interface ForwardActs {
  pre: Float32Array[];
  mid: Float32Array[];
  last: Float32Array;
}

export interface BackwardInput {
  t: number;
  acts: ForwardActs;
  /** head coefficients (loss.ts), or null when no logit loss */
  head: { alpha: Float32Array; beta: Float32Array } | null;
  /** gradient injected directly at a hook ([T, d]) */
  sources: Map<HookName, Float32Array>;
  /** hooks whose gradient is returned */
  wanted: ReadonlySet<HookName>;
}

export interface BackwardOutput {
  /** [T, V] when a head ran */
  logits: Float32Array | null;
  grads: Map<HookName, Float32Array>;
  /** half-block backward graphs actually run (the cost report counts them) */
  blockRuns: number;
}

interface LayerGrad {
  attn: LensSession;
  mlp: LensSession;
  sliding: boolean;
}

export class GradEngine {
  private tokenSession: LensSession | null = null;

  private constructor(
    readonly config: ModelConfig,
    private readonly tensors: TensorStore,
    private readonly opts: GradEngineOptions,
    private readonly layers: LayerGrad[],
    private readonly head: LensSession,
  ) {}

  static async create(cfg: ModelConfig, tensors: TensorStore, opts: GradEngineOptions = {}) {
    const load = (g: GraphBuilder) => createSession(g.build(opts.externalAbove), opts);
    const layers: LayerGrad[] = [];
    for (let l = 0; l < cfg.nLayers; l++) {
      layers.push({
        attn: await load(buildAttentionGrad(cfg, attnWeights(tensors, cfg, l), l)),
        mlp: await load(buildMlpGrad(cfg, mlpWeights(tensors, cfg, l), l)),
        sliding: cfg.layerTypes[l] === "sliding",
      });
    }
    const head = await load(buildHeadGrad(cfg, unembedWeights(tensors, cfg)));
    return new GradEngine(cfg, tensors, opts, layers, head);
  }

  async backward(input: BackwardInput): Promise<BackwardOutput> {
    const cfg = this.config;
    const { t, acts, sources, wanted } = input;
    const d = cfg.dModel;
    const dims = [t, d];
    const positions = Int32Array.from({ length: t }, (_, i) => i);
    const maskFull = attentionMask(1, positions, positions, null);
    const maskSliding =
      cfg.slidingWindow !== null
        ? attentionMask(1, positions, positions, cfg.slidingWindow)
        : maskFull;
    const inv = cfg.rope ? inverseFrequencies(cfg.rope, cfg.headDim) : null;
    const invLocal = cfg.ropeLocal ? inverseFrequencies(cfg.ropeLocal, cfg.headDim) : inv;
    const rope = inv ? ropeTables(inv, positions) : null;
    const ropeLocal = invLocal && invLocal !== inv ? ropeTables(invLocal, positions) : rope;

    const grads = new Map<HookName, Float32Array>();
    let logits: Float32Array | null = null;
    let g = new Float32Array(t * d);
    let live = false;
    if (input.head) {
      const out = await this.head.run({
        [HEAD_IO.x]: { data: acts.last, dims },
        [HEAD_IO.alpha]: { data: input.head.alpha, dims: [t, 1] },
        [HEAD_IO.beta]: { data: input.head.beta, dims: [t, cfg.vocabSize] },
      });
      logits = out[HEAD_IO.logits].data;
      g = out[HEAD_IO.dx].data.slice();
      live = true;
    }
    // Apply a hook's source, record its gradient if wanted; returns the (possibly new) live flag.
    const at = (name: HookName, x: Float32Array): void => {
      const s = sources.get(name);
      if (s) {
        addInto(x, s);
        live = true;
      }
      if (wanted.has(name)) grads.set(name, x.slice());
    };
    const lowest = lowestLayer(wanted, cfg.nLayers);
    let blockRuns = 0;
    for (let l = cfg.nLayers - 1; l >= lowest; l--) {
      const layer = this.layers[l];
      at(residPost(l), g);
      const gMlp = g.slice();
      at(mlpOut(l), gMlp);
      if (live) {
        const m = await layer.mlp.run({
          [GRAD_IO.x]: { data: acts.mid[l], dims },
          [GRAD_IO.dy]: { data: gMlp, dims },
        });
        addInto(g, m[GRAD_IO.dx].data);
        blockRuns++;
      }
      at(residMid(l), g);
      const gAttn = g.slice();
      at(attnOut(l), gAttn);
      if (live) {
        const feeds: Record<string, OrtFeed> = {
          [GRAD_IO.x]: { data: acts.pre[l], dims },
          [GRAD_IO.dy]: { data: gAttn, dims },
          [GRAD_IO.mask]: { data: layer.sliding ? maskSliding : maskFull, dims: [t, t] },
        };
        const tables = layer.sliding ? ropeLocal : rope;
        if (tables) {
          feeds[GRAD_IO.cos] = { data: tables.cos, dims: [t, 1, cfg.headDim] };
          feeds[GRAD_IO.sin] = { data: tables.sin, dims: [t, 1, cfg.headDim] };
        }
        const a = await layer.attn.run(feeds);
        addInto(g, a[GRAD_IO.dx].data);
        if (wanted.has(attnZ(l))) grads.set(attnZ(l), a[GRAD_IO.dz].data);
        blockRuns++;
      } else if (wanted.has(attnZ(l))) {
        grads.set(attnZ(l), new Float32Array(t * cfg.nHeads * cfg.headDim));
      }
      at(residPre(l), g);
    }
    if (lowest === 0) at(hookEmbed(), g);
    return { logits, grads, blockRuns };
  }

  /** d loss / d onehot [T, V] from the gradient at hook_embed [T, d] (GCG's token gradient). */
  async tokenGradient(dEmbed: Float32Array, t: number): Promise<Float32Array> {
    this.tokenSession ??= await createSession(
      buildTokenGrad(this.config, embedWeights(this.tensors, this.config)).build(
        this.opts.externalAbove,
      ),
      this.opts,
    );
    const out = await this.tokenSession.run({
      [TOKEN_IO.dEmbed]: { data: dEmbed, dims: [t, this.config.dModel] },
    });
    return out[TOKEN_IO.dOneHot].data;
  }

  async close(): Promise<void> {
    for (const l of this.layers) {
      await l.attn.release();
      await l.mlp.release();
    }
    await this.head.release();
    await this.tokenSession?.release();
  }
}

function addInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** The lowest layer the walk must reach: the lowest wanted hook (0 for hook_embed; L for none). */
function lowestLayer(wanted: ReadonlySet<HookName>, nLayers: number): number {
  let low = nLayers;
  for (const name of wanted) {
    const site = parseHookName(name);
    low = Math.min(low, site && site.kind !== "embed" ? site.layer : 0);
  }
  return low;
}
