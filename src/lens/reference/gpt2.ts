/**
 * GPT-2 in plain TypeScript (ARCHITECTURES.md §2.1): learned absolute positions,
 * pre-LayerNorm blocks, fused q/k/v in one Conv1D (weights [in, out], so
 * y = x @ W + b — the transpose nanoGPT does on load is not needed here), gelu_new
 * MLP, tied head. Hook points as TransformerLens: `hook_embed` is the token
 * embedding alone (TL's `hook_pos_embed`, which we do not expose, is the position
 * embedding), so `resid_pre(0) = hook_embed + wpe[pos]`.
 */
import { attnOut, attnZ, hookEmbed, mlpOut, residMid, residPost, residPre } from "../hooks.js";
import type { ModelConfig, TensorStore } from "../types.js";
import type { HookRunner } from "./hook-runner.js";
import { activation, add, attend, conv1d, layerNorm, linear, map } from "./ops.js";

export function gpt2Forward(
  c: ModelConfig,
  t: TensorStore,
  tokens: readonly number[],
  hooks: HookRunner,
): Float32Array {
  const n = tokens.length;
  const d = c.dModel;
  const W = (name: string) => t.get(name).data;
  const wte = W("wte.weight");
  const wpe = W("wpe.weight");
  const embed = new Float32Array(n * d); // [pos, d_model]
  tokens.forEach((tok, p) => {
    embed.set(wte.subarray(tok * d, (tok + 1) * d), p * d);
  });
  hooks.at(hookEmbed(), embed, d);
  let resid: Float32Array = new Float32Array(n * d);
  for (let p = 0; p < n; p++)
    for (let i = 0; i < d; i++) resid[p * d + i] = embed[p * d + i] + wpe[p * d + i];

  for (let l = 0; l < c.nLayers; l++) {
    const b = `h.${l}.`;
    const residPreL = hooks.at(residPre(l), resid, d);
    const attnOutL = hooks.at(
      attnOut(l),
      attention(
        c,
        t,
        l,
        layerNorm(residPreL, d, W(`${b}ln_1.weight`), W(`${b}ln_1.bias`), c.normEps),
        n,
        hooks,
      ),
      d,
    );
    const residMidL = hooks.at(residMid(l), add(residPreL, attnOutL), d);
    const mlpOutL = hooks.at(
      mlpOut(l),
      mlp(c, t, l, layerNorm(residMidL, d, W(`${b}ln_2.weight`), W(`${b}ln_2.bias`), c.normEps), n),
      d,
    );
    resid = hooks.at(residPost(l), add(residMidL, mlpOutL), d);
  }
  const final = layerNorm(resid, d, W("ln_f.weight"), W("ln_f.bias"), c.normEps);
  return linear(final, n, d, W("lm_head.weight"), c.vocabSize); // [pos, vocab]
}

function attention(
  c: ModelConfig,
  t: TensorStore,
  l: number,
  x: Float32Array,
  n: number,
  hooks: HookRunner,
): Float32Array {
  const d = c.dModel;
  const H = c.nHeads;
  const hd = c.headDim;
  const W = (name: string) => t.get(`h.${l}.attn.${name}`).data;
  const qkv = conv1d(x, n, d, W("c_attn.weight"), 3 * d, W("c_attn.bias")); // [pos, 3·d]: q | k | v
  const q = new Float32Array(n * d);
  const k = new Float32Array(n * d);
  const v = new Float32Array(n * d);
  for (let p = 0; p < n; p++) {
    q.set(qkv.subarray(p * 3 * d, p * 3 * d + d), p * d); // [pos, H, hd]
    k.set(qkv.subarray(p * 3 * d + d, p * 3 * d + 2 * d), p * d);
    v.set(qkv.subarray(p * 3 * d + 2 * d, p * 3 * d + 3 * d), p * d);
  }
  const z = hooks.maskHeads(
    l,
    attend(q, k, v, n, H, H, hd, { scale: c.attnScale, softcap: null, window: null }),
    H,
    hd,
  );
  hooks.at(attnZ(l), z, H * hd); // [pos, H·hd]
  return conv1d(z, n, d, W("c_proj.weight"), d, W("c_proj.bias"));
}

function mlp(c: ModelConfig, t: TensorStore, l: number, x: Float32Array, n: number): Float32Array {
  const W = (name: string) => t.get(`h.${l}.mlp.${name}`).data;
  const h = map(
    conv1d(x, n, c.dModel, W("c_fc.weight"), c.dMlp, W("c_fc.bias")),
    activation(c.act),
  ); // [pos, d_mlp]
  return conv1d(h, n, c.dMlp, W("c_proj.weight"), c.dModel, W("c_proj.bias"));
}
