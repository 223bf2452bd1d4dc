/**
 * Attribution patching (Nanda 2023; Syed et al. 2023): a first-order estimate
 * of what activation patching would find, from one gradient. For a metric M
 * (a logit difference such as refusal vs compliance, a probe score, a CE) taken
 * on the *current* run (e.g. an attacked or steered one) and a *baseline* run of
 * the same tokens (clean: no interventions, by default),
 *
 *   effect(site) ≈ (a_baseline(site) − a_current(site)) · ∇_a M(current)
 *
 * summed over positions: the change in M if that site were patched back to the
 * baseline. Sites:
 * - layer l: what the layer writes into the residual stream,
 *   `resid_post(l) − resid_pre(l)` (attention + MLP + anything added there, such
 *   as a steering vector), against the gradient at `resid_post(l)`;
 * - head (l, h): its slice of `attn.hook_z(l)` against the gradient there.
 *
 * Cost: 2 forward passes and 1 backward pass, against 1 + L (layers) and
 * 1 + L·H (heads) forward passes for real activation patching; both are
 * reported. It is a linear approximation: exact for sites that enter M
 * linearly, a ranking aid elsewhere. Not here: choosing the metric (callers'),
 * patching for real (runWithHooks with `replace` does that).
 */

import type { LossInput } from "./grad/loss.js";
import { attnZ, type HookName, residPost, residPre } from "./hooks.js";
import type { InterventionInput } from "./interventions.js";
import type { LensModel } from "./model.js";

export interface AttributionOptions {
  /** interventions of the run being explained (only `add`; see docs/lens-grad.md) */
  current?: readonly InterventionInput[];
  /** interventions of the baseline run (default none: the clean model) */
  baseline?: readonly InterventionInput[];
  /** also attribute to heads (reads attn.hook_z) */
  heads?: boolean;
}

export interface SiteEffect {
  layer: number;
  head?: number;
  /** estimated ΔM from patching this site back to the baseline */
  effect: number;
}

export interface AttributionResult {
  /** M on the current run */
  metric: number;
  /** per layer, in layer order */
  layers: SiteEffect[];
  /** per head, layer-major (empty unless `heads`) */
  heads: SiteEffect[];
  /** sites ranked by |effect|, largest first */
  rankedLayers: SiteEffect[];
  rankedHeads: SiteEffect[];
  cost: {
    forwardPasses: number;
    backwardPasses: number;
    /** forward passes real activation patching of the same sites would need */
    activationPatchingForwardPasses: number;
  };
}

function dotRange(a: Float32Array, b: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] * b[i];
  return s;
}

export async function attributionPatching(
  model: LensModel,
  tokens: readonly number[],
  metric: LossInput,
  opts: AttributionOptions = {},
): Promise<AttributionResult> {
  const { nLayers: L, nHeads: H, headDim: hd } = model.config;
  const sites: HookName[] = [];
  for (let l = 0; l < L; l++) {
    sites.push(residPre(l), residPost(l));
    if (opts.heads) sites.push(attnZ(l));
  }
  const wrt: HookName[] = [];
  for (let l = 0; l < L; l++) {
    wrt.push(residPost(l));
    if (opts.heads) wrt.push(attnZ(l));
  }
  const cur = await model.grad(tokens, metric, {
    wrt,
    interventions: opts.current ?? [],
    activations: sites,
  });
  // The baseline needs activations only: a capture-only forward pass over the same run.
  const base = await model.runWithHooks(cur.tokens, [
    ...(opts.baseline ?? []),
    ...sites.map((hook) => ({ kind: "capture" as const, hook, reduce: "all" as const })),
  ]);
  const first = (opts.baseline ?? []).length;
  const baseAct = new Map<string, Float32Array>();
  for (const c of base.captures) if (c.index >= first) baseAct.set(c.hook, c.value);
  const act = (name: HookName) => cur.activations.get(name)!.data;

  const layers: SiteEffect[] = [];
  const heads: SiteEffect[] = [];
  for (let l = 0; l < L; l++) {
    const g = cur.grads.get(residPost(l))!.data;
    const bPost = baseAct.get(residPost(l))!;
    const bPre = baseAct.get(residPre(l))!;
    const cPost = act(residPost(l));
    const cPre = act(residPre(l));
    // Δwrite = (bPost − bPre) − (cPost − cPre)
    let effect = 0;
    for (let i = 0; i < g.length; i++) effect += (bPost[i] - bPre[i] - (cPost[i] - cPre[i])) * g[i];
    layers.push({ layer: l, effect });
    if (opts.heads) {
      const gz = cur.grads.get(attnZ(l))!.data;
      const bz = baseAct.get(attnZ(l))!;
      const cz = act(attnZ(l));
      const diff = Float32Array.from(bz, (v, i) => v - cz[i]);
      const t = gz.length / (H * hd);
      for (let h = 0; h < H; h++) {
        let e = 0;
        for (let p = 0; p < t; p++) {
          const o = (p * H + h) * hd;
          e += dotRange(diff, gz, o, o + hd);
        }
        heads.push({ layer: l, head: h, effect: e });
      }
    }
  }
  const rank = (xs: SiteEffect[]) =>
    [...xs].sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect));
  return {
    metric: cur.loss,
    layers,
    heads,
    rankedLayers: rank(layers),
    rankedHeads: rank(heads),
    cost: {
      forwardPasses: 2,
      backwardPasses: 1,
      activationPatchingForwardPasses: 1 + L + (opts.heads ? L * H : 0),
    },
  };
}
