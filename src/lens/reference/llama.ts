/**
 * The Llama family in plain TypeScript (ARCHITECTURES.md §2.2–2.4): Llama 2/3,
 * SmolLM2, Qwen2/2.5 (q/k/v bias) and Qwen3 (per-head q/k RMSNorm before RoPE,
 * explicit head_dim). Pre-RMSNorm blocks, RoPE (default / linear / llama3), GQA,
 * SwiGLU MLP. The config says which of the variant features are on; the block
 * itself is the same two residual adds for all of them.
 *
 * Not here: Gemma's (1+w) norms, sandwich norms and soft-caps (gemma.ts).
 */
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
} from "./ops.js";

export function llamaForward(
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
    resid.set(wte.subarray(tok * d, (tok + 1) * d), p * d);
  });
  resid = hooks.at(hookEmbed(), resid, d);

  for (let l = 0; l < c.nLayers; l++) {
    const b = `layers.${l}.`;
    const residPreL = hooks.at(residPre(l), resid, d);
    const attnOutL = hooks.at(
      attnOut(l),
      attention(c, t, l, norm(residPreL, `${b}input_layernorm.weight`), n, hooks),
      d,
    );
    const residMidL = hooks.at(residMid(l), add(residPreL, attnOutL), d);
    const mlpOutL = hooks.at(
      mlpOut(l),
      mlp(c, t, l, norm(residMidL, `${b}post_attention_layernorm.weight`), n),
      d,
    );
    resid = hooks.at(residPost(l), add(residMidL, mlpOutL), d);
  }
  return linear(norm(resid, "norm.weight"), n, d, W("lm_head.weight"), c.vocabSize); // [pos, vocab]
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
  const p = `layers.${l}.self_attn.`;
  const W = (name: string) => t.get(p + name).data;
  const bias = (name: string) => (c.qkvBias ? W(name) : undefined);
  const q = linear(x, n, d, W("q_proj.weight"), H * hd, bias("q_proj.bias")); // [pos, H, hd]
  let k = linear(x, n, d, W("k_proj.weight"), Hkv * hd, bias("k_proj.bias")); // [pos, Hkv, hd]
  const v = linear(x, n, d, W("v_proj.weight"), Hkv * hd, bias("v_proj.bias"));
  let qr = q;
  if (c.qkNorm) {
    // Qwen3: RMSNorm over each head's hd values, before RoPE.
    qr = rmsNorm(q, hd, W("q_norm.weight"), c.normEps, false);
    k = rmsNorm(k, hd, W("k_norm.weight"), c.normEps, false);
  }
  const sliding = c.layerTypes[l] === "sliding";
  const inv = ropeInvFreq(sliding && c.ropeLocal ? c.ropeLocal : c.rope!, hd);
  applyRope(qr, n, H, hd, hooks.rows, inv);
  applyRope(k, n, Hkv, hd, hooks.rows, inv);
  const window = sliding ? c.slidingWindow : null;
  const z = hooks.maskHeads(
    l,
    attend(qr, k, v, n, H, Hkv, hd, { scale: c.attnScale, softcap: null, window }),
    H,
    hd,
  );
  hooks.at(attnZ(l), z, H * hd); // [pos, H·hd]
  return linear(z, n, H * hd, W("o_proj.weight"), d);
}

function mlp(c: ModelConfig, t: TensorStore, l: number, x: Float32Array, n: number): Float32Array {
  const W = (name: string) => t.get(`layers.${l}.mlp.${name}`).data;
  const gate = map(linear(x, n, c.dModel, W("gate_proj.weight"), c.dMlp), activation(c.act)); // [pos, d_mlp]
  const up = linear(x, n, c.dModel, W("up_proj.weight"), c.dMlp);
  return linear(mul(gate, up), n, c.dMlp, W("down_proj.weight"), c.dModel);
}
