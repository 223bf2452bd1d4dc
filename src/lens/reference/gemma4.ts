/**
 * Gemma 4 text in plain TypeScript (ARCHITECTURES.md §1.2–1.4; HF
 * `modeling_gemma4.py`): `x·w` RMSNorm (not Gemma 2/3's `1+w`), embeddings × √d,
 * sandwich norms, per-head q/k norms and a weight-free v norm, attention scale
 * 1, sliding layers (default RoPE over `head_dim`) and full layers
 * (proportional RoPE over the larger `global_head_dim`), KV sharing (the last
 * `num_kv_shared_layers` layers attend over the K/V of the last non-shared
 * layer of their type and own no k/v weights), a double-wide MLP on those
 * layers, per-layer embeddings (PLE) injected after the MLP, a `layer_scalar`
 * that multiplies the whole residual stream, and a final logit soft-cap.
 *
 * Hooks: as gemma.ts, plus `hook_ple_out` (what the PLE branch adds). With PLE,
 * resid_post = (resid_mid + mlp_out + ple_out) · layer_scalar. PLE inputs are
 * computed from `hook_embed` after its interventions, as HF computes them from
 * `inputs_embeds`.
 */
import { headDimOf, kvSourceOf } from "../config.js";
import {
  attnOut,
  attnZ,
  hookEmbed,
  mlpOut,
  pleOut,
  residMid,
  residPost,
  residPre,
} from "../hooks.js";
import { pleTokenRows } from "../ple.js";
import type { ModelConfig, TensorStore } from "../types.js";
import { gemmaMlp } from "./gemma.js";
import type { HookRunner } from "./hook-runner.js";
import {
  activation,
  add,
  applyRope,
  attend,
  linear,
  map,
  rmsNorm,
  ropeInvFreq,
  softcapInPlace,
} from "./ops.js";

interface Kv {
  k: Float32Array;
  v: Float32Array;
}

export function gemma4Forward(
  c: ModelConfig,
  t: TensorStore,
  tokens: readonly number[],
  hooks: HookRunner,
): Float32Array {
  const n = tokens.length;
  const d = c.dModel;
  const W = (name: string) => t.get(name).data;
  const norm = (x: Float32Array, name: string) => rmsNorm(x, d, W(name), c.normEps, false);
  const wte = W("embed_tokens.weight");
  let resid: Float32Array = new Float32Array(n * d); // [pos, d_model]
  tokens.forEach((tok, p) => {
    for (let i = 0; i < d; i++) resid[p * d + i] = wte[tok * d + i] * c.embedScale;
  });
  resid = hooks.at(hookEmbed(), resid, d);
  const ple = c.gemma4?.ple ? perLayerInputs(c, t, tokens, resid) : null; // [pos, L, P]

  const kv = new Map<number, Kv>();
  for (let l = 0; l < c.nLayers; l++) {
    const b = `layers.${l}.`;
    const residPreL = hooks.at(residPre(l), resid, d);
    const attnOutL = hooks.at(
      attnOut(l),
      norm(
        attention(c, t, l, norm(residPreL, `${b}input_layernorm.weight`), n, hooks, kv),
        `${b}post_attention_layernorm.weight`,
      ),
      d,
    );
    const residMidL = hooks.at(residMid(l), add(residPreL, attnOutL), d);
    const mlpOutL = hooks.at(
      mlpOut(l),
      norm(
        gemmaMlp(c, t, l, norm(residMidL, `${b}pre_feedforward_layernorm.weight`), n),
        `${b}post_feedforward_layernorm.weight`,
      ),
      d,
    );
    let h = add(residMidL, mlpOutL);
    if (ple) h = add(h, hooks.at(pleOut(l), pleInjection(c, t, l, h, ple, n), d));
    const scalar = W(`${b}layer_scalar`)[0];
    for (let i = 0; i < h.length; i++) h[i] *= scalar;
    resid = hooks.at(residPost(l), h, d);
  }
  const logits = linear(norm(resid, "norm.weight"), n, d, W("lm_head.weight"), c.vocabSize); // [pos, vocab]
  if (c.finalSoftcap !== null) softcapInPlace(logits, c.finalSoftcap);
  return logits;
}

/** ple [pos, L, P] = (rms(x0 @ Wpl^T · d^-½ ; norm) + P[ids]·√P) · 2^-½. */
export function perLayerInputs(
  c: ModelConfig,
  t: TensorStore,
  tokens: readonly number[],
  embed: Float32Array,
): Float32Array {
  const { dim } = c.gemma4!.ple!;
  const n = tokens.length;
  const width = c.nLayers * dim;
  const ctx = linear(embed, n, c.dModel, t.get("per_layer_model_projection.weight").data, width);
  const scale = c.dModel ** -0.5;
  for (let i = 0; i < ctx.length; i++) ctx[i] *= scale;
  const normed = rmsNorm(
    ctx,
    dim,
    t.get("per_layer_projection_norm.weight").data,
    c.normEps,
    false,
  );
  const tok = pleTokenRows(c, t, tokens);
  const out = new Float32Array(n * width);
  for (let i = 0; i < out.length; i++) out[i] = (normed[i] + tok[i]) * Math.SQRT1_2;
  return out;
}

/** rms(gelu(h @ Wg^T) ⊙ ple[:, l] @ Wp^T ; post_per_layer_input_norm): [pos, d_model]. */
function pleInjection(
  c: ModelConfig,
  t: TensorStore,
  l: number,
  h: Float32Array,
  ple: Float32Array,
  n: number,
): Float32Array {
  const { dim } = c.gemma4!.ple!;
  const W = (name: string) => t.get(`layers.${l}.${name}`).data;
  const gate = map(
    linear(h, n, c.dModel, W("per_layer_input_gate.weight"), dim),
    activation(c.act),
  );
  for (let p = 0; p < n; p++)
    for (let i = 0; i < dim; i++) gate[p * dim + i] *= ple[(p * c.nLayers + l) * dim + i];
  const proj = linear(gate, n, dim, W("per_layer_projection.weight"), c.dModel);
  return rmsNorm(proj, c.dModel, W("post_per_layer_input_norm.weight"), c.normEps, false);
}

function attention(
  c: ModelConfig,
  t: TensorStore,
  l: number,
  x: Float32Array,
  n: number,
  hooks: HookRunner,
  shared: Map<number, Kv>,
): Float32Array {
  const { dModel: d, nHeads: H, nKvHeads: Hkv } = c;
  const hd = headDimOf(c, l);
  const W = (name: string) => t.get(`layers.${l}.self_attn.${name}`).data;
  const sliding = c.layerTypes[l] === "sliding";
  const inv = ropeInvFreq(sliding && c.ropeLocal ? c.ropeLocal : c.rope!, hd);
  // q and k: projection, per-head RMSNorm with its weight, then RoPE
  const projected = (name: "q" | "k", heads: number) => {
    const y = rmsNorm(
      linear(x, n, d, W(`${name}_proj.weight`), heads * hd),
      hd,
      W(`${name}_norm.weight`),
      c.normEps,
      false,
    ); // [pos, heads, hd]
    applyRope(y, n, heads, hd, hooks.rows, inv);
    return y;
  };
  const q = projected("q", H);
  const src = kvSourceOf(c, l);
  let kv = shared.get(src);
  if (src === l) {
    const k = projected("k", Hkv);
    // v_norm: RMSNorm with no weight.
    const v = rmsNorm(
      linear(x, n, d, W("v_proj.weight"), Hkv * hd),
      hd,
      new Float32Array(hd).fill(1),
      c.normEps,
      false,
    );
    kv = { k, v };
    shared.set(l, kv);
  }
  if (!kv) throw new RangeError(`layer ${l} reads layer ${src}'s K/V, which has not run`);
  const opts = { scale: c.attnScale, softcap: null, window: sliding ? c.slidingWindow : null };
  const z = hooks.maskHeads(l, attend(q, kv.k, kv.v, n, H, Hkv, hd, opts), H, hd);
  hooks.at(attnZ(l), z, H * hd); // [pos, H·hd]
  return linear(z, n, H * hd, W("o_proj.weight"), d);
}
