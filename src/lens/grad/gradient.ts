/**
 * `computeGradient`: one forward pass on the ORT runtime (keeping only each
 * block's resid_pre and resid_mid) and one backward pass (backward.ts) for a
 * scalar loss (loss.ts), returning the gradient at the hooks asked for and,
 * optionally, with respect to the one-hot token matrix (GCG).
 *
 * Interventions: only `add` (and `capture`) may be active, because the backward
 * graphs differentiate the unedited block; an added constant has an identity
 * Jacobian, so steering vectors and planted directions are differentiated
 * exactly, whereas `project_out`, `replace`, `mean_ablate` and `head_mask`
 * would silently give the wrong gradient and are rejected.
 *
 * Not here: the graphs (block.ts, head.ts), the losses' maths (loss.ts).
 */
import { SeigeError } from "../../util/errors.js";
import {
  type HookName,
  hookEmbed,
  parseHookName,
  residMid,
  residPost,
  residPre,
} from "../hooks.js";
import type { InterventionInput } from "../interventions.js";
import type { LensModel } from "../model.js";
import type { HookFn } from "../runtime/visitor.js";
import type { Tensor } from "../types.js";
import type { ForwardActs, GradEngine } from "./backward.js";
import {
  headCoefficients,
  type LossInput,
  lossValue,
  parseLoss,
  probeScore,
  runTokens,
} from "./loss.js";

export interface GradOptions {
  /** hook names (`embed` is short for `hook_embed`); `attn.hook_z` rows are H·hd wide */
  wrt?: readonly string[];
  /** only `add` and `capture` (see the file header) */
  interventions?: readonly InterventionInput[];
  /** also return d loss / d onehot [T, V] for every run position */
  tokenGrad?: boolean;
  /** hooks whose activation (as the next layer sees it) is returned from the same forward pass */
  activations?: readonly string[];
}

export interface GradResult {
  loss: number;
  /** the ids the forward ran on (a `ce` loss appends its target minus the last token) */
  tokens: number[];
  /** hook → [T, width] */
  grads: Map<HookName, Tensor>;
  tokenGrad?: Tensor;
  /** the `activations` asked for, hook → [T, width] */
  activations: Map<HookName, Tensor>;
  /** [T, V] logits of the run (null for a probe loss) */
  logits: Tensor | null;
  /** cost: forward passes, full backward passes, half-block backward graphs run */
  passes: { forward: number; backward: number; blockGraphs: number };
}

/** "embed" → "hook_embed"; anything else must be a hook of this model. */
export function resolveWrt(name: string, nLayers: number): HookName {
  const n = name === "embed" ? hookEmbed() : name;
  if (!parseHookName(n, nLayers))
    throw new SeigeError(
      "validation_error",
      `wrt: unknown hook '${name}'; model.hookNames lists this model's hooks`,
    );
  return n as HookName;
}

export async function computeGradient(
  model: LensModel,
  engine: GradEngine,
  tokens: readonly number[],
  lossInput: LossInput,
  opts: GradOptions = {},
): Promise<GradResult> {
  const cfg = model.config;
  const loss = parseLoss(lossInput, cfg);
  const wanted = new Set((opts.wrt ?? []).map((w) => resolveWrt(w, cfg.nLayers)));
  if (opts.tokenGrad) wanted.add(hookEmbed());
  for (const iv of opts.interventions ?? []) {
    if (iv.kind !== "add" && iv.kind !== "capture")
      throw new SeigeError(
        "validation_error",
        `gradients support only 'add' interventions (got '${iv.kind}'): the backward pass differentiates the unedited blocks`,
      );
  }
  const run = runTokens(tokens, loss);
  const t = run.length;
  const L = cfg.nLayers;
  const acts: ForwardActs = { pre: new Array(L), mid: new Array(L), last: new Float32Array(0) };
  const probe: { act?: Float32Array } = {};
  const keep =
    (store: (x: Float32Array) => void): HookFn =>
    (_n, x) => {
      store(x.slice());
    };
  const hookFns: Partial<Record<HookName, HookFn>> = {};
  for (let l = 0; l < L; l++) {
    hookFns[residPre(l)] = keep((x) => {
      acts.pre[l] = x;
    });
    hookFns[residMid(l)] = keep((x) => {
      acts.mid[l] = x;
    });
  }
  hookFns[residPost(L - 1)] = keep((x) => {
    acts.last = x;
  });
  if (loss.kind === "probe") {
    const probeHook = loss.hook as HookName;
    const prev = hookFns[probeHook];
    hookFns[probeHook] = (n, x, s) => {
      prev?.(n, x, s);
      probe.act = x.slice();
    };
  }
  const activations = new Map<HookName, Tensor>();
  for (const name of opts.activations ?? []) {
    const hook = resolveWrt(name, L);
    const prev = hookFns[hook];
    hookFns[hook] = (n, x, s) => {
      prev?.(n, x, s);
      activations.set(hook, { shape: [t, x.length / t], data: x.slice() });
    };
  }
  await model.runWithHooks(run, opts.interventions ?? [], { hookFns });

  const sources = new Map<HookName, Float32Array>();
  let probeValue = 0;
  if (loss.kind === "probe") {
    const p = probeScore(loss, probe.act ?? new Float32Array(t * cfg.dModel), cfg.dModel);
    probeValue = p.value;
    sources.set(loss.hook as HookName, p.source);
  }
  const back = await engine.backward({
    t,
    acts,
    head: headCoefficients(loss, tokens.length, t, cfg.vocabSize),
    sources,
    wanted,
  });
  const width = (name: HookName) =>
    parseHookName(name)?.kind === "attn_z" ? cfg.nHeads * cfg.headDim : cfg.dModel;
  const grads = new Map<HookName, Tensor>();
  for (const name of wanted) {
    if (
      opts.tokenGrad &&
      name === hookEmbed() &&
      !(opts.wrt ?? []).some((w) => resolveWrt(w, L) === name)
    )
      continue;
    const data = back.grads.get(name) ?? new Float32Array(t * width(name));
    grads.set(name, { shape: [t, width(name)], data });
  }
  const result: GradResult = {
    loss: back.logits ? lossValue(loss, back.logits, tokens.length, cfg.vocabSize) : probeValue,
    tokens: run,
    grads,
    activations,
    logits: back.logits ? { shape: [t, cfg.vocabSize], data: back.logits } : null,
    passes: { forward: 1, backward: 1, blockGraphs: back.blockRuns },
  };
  if (opts.tokenGrad) {
    const dE = back.grads.get(hookEmbed()) ?? new Float32Array(t * cfg.dModel);
    result.tokenGrad = { shape: [t, cfg.vocabSize], data: await engine.tokenGradient(dE, t) };
  }
  return result;
}
