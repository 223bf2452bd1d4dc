/**
 * Gemma 2 and Gemma 3 (text) in plain TypeScript (ARCHITECTURES.md §1.6–1.7, §2.5):
 * `(1+w)` RMSNorm everywhere, embeddings × √d (the config's `embedScale`, already
 * rounded to the weight dtype), sandwich norms around both sublayers, scale
 * `query_pre_attn_scalar^-0.5`, sliding-window layers (`kv > q − window`) with
 * their own RoPE base in Gemma 3, per-head q/k norms (Gemma 3), attention and final
 * logit soft-caps (Gemma 2), gelu_tanh gated MLP, tied head.
 *
 * Hook semantics: `hook_embed` is the scaled embedding (= resid_pre(0));
 * `hook_attn_out` / `hook_mlp_out` are taken after the post-attention /
 * post-feedforward norm, i.e. exactly what is added to the residual stream.
 */
import { dMlpOf } from "../config.js";
import { attnOut, attnZ, hookEmbed, mlpOut, residMid, residPost, residPre } from "../hooks.js";
import type { ModelConfig, TensorStore } from "../types.js";
import type { HookRunner } from "./hook-runner.js";
import {
  activation,
  add,
  applyRope,
  attend,
  linear,
  map,
  mul,
  rmsNorm,
  ropeInvFreq,
  softcapInPlace,
} from "./ops.js";

export function gemmaForward(
  c: ModelConfig,
  t: TensorStore,
  tokens: readonly number[],
  hooks: HookRunner,
): Float32Array {
  const n = tokens.length;
  const d = c.dModel;
  const W = (name: string) => t.get(name).data;
  const norm = (x: Float32Array, name: string) => rmsNorm(x, d, W(name), c.normEps, true);
  const wte = W("embed_tokens.weight");
  let resid: Float32Array = new Float32Array(n * d); // [pos, d_model]
  tokens.forEach((tok, p) => {
    for (let i = 0; i < d; i++) resid[p * d + i] = wte[tok * d + i] * c.embedScale;
  });
  resid = hooks.at(hookEmbed(), resid, d);

  for (let l = 0; l < c.nLayers; l++) {
    const b = `layers.${l}.`;
    const residPreL = hooks.at(residPre(l), resid, d);
    const attnOutL = hooks.at(
      attnOut(l),
      norm(
        attention(c, t, l, norm(residPreL, `${b}input_layernorm.weight`), n, hooks),
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
    resid = hooks.at(residPost(l), add(residMidL, mlpOutL), d);
  }
  const logits = linear(norm(resid, "norm.weight"), n, d, W("lm_head.weight"), c.vocabSize); // [pos, vocab]
  if (c.finalSoftcap !== null) softcapInPlace(logits, c.finalSoftcap);
  return logits;
}

function attention(
  c: ModelConfig,
  t: TensorStore,
  l: number,
  x: Float32Array,
  n: number,
  hooks: HookRunner,
): Float32Array {
  const { dModel: d, nHeads: H, nKvHeads: Hkv, headDim: hd } = c;
  const W = (name: string) => t.get(`layers.${l}.self_attn.${name}`).data;
  let q = linear(x, n, d, W("q_proj.weight"), H * hd); // [pos, H, hd]
  let k = linear(x, n, d, W("k_proj.weight"), Hkv * hd); // [pos, Hkv, hd]
  const v = linear(x, n, d, W("v_proj.weight"), Hkv * hd);
  if (c.qkNorm) {
    // Gemma 3: (1+w) RMSNorm over each head, before RoPE.
    q = rmsNorm(q, hd, W("q_norm.weight"), c.normEps, true);
    k = rmsNorm(k, hd, W("k_norm.weight"), c.normEps, true);
  }
  const sliding = c.layerTypes[l] === "sliding";
  const inv = ropeInvFreq(sliding && c.ropeLocal ? c.ropeLocal : c.rope!, hd);
  applyRope(q, n, H, hd, hooks.rows, inv);
  applyRope(k, n, Hkv, hd, hooks.rows, inv);
  const opts = {
    scale: c.attnScale,
    softcap: c.attnSoftcap,
    window: sliding ? c.slidingWindow : null,
  };
  const z = hooks.maskHeads(l, attend(q, k, v, n, H, Hkv, hd, opts), H, hd);
  hooks.at(attnZ(l), z, H * hd); // [pos, H·hd]
  return linear(z, n, H * hd, W("o_proj.weight"), d);
}

/** The gated MLP of Gemma 2/3/4 (Gemma 4's layers may differ in width). */
export function gemmaMlp(
  c: ModelConfig,
  t: TensorStore,
  l: number,
  x: Float32Array,
  n: number,
): Float32Array {
  const m = dMlpOf(c, l);
  const W = (name: string) => t.get(`layers.${l}.mlp.${name}`).data;
  const gate = map(linear(x, n, c.dModel, W("gate_proj.weight"), m), activation(c.act)); // [pos, d_mlp]
  const up = linear(x, n, c.dModel, W("up_proj.weight"), m);
  return linear(mul(gate, up), n, m, W("down_proj.weight"), c.dModel);
}
