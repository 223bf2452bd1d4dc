/**
 * Learned steering vectors: optimise one vector `v`, added at every position of
 * a residual hook (default `blocks.{layer}.hook_resid_post`), to raise the
 * likelihood of target completions, a gradient-based alternative to the
 * difference of means (Subramani et al. 2022; "promotion steering" in Cao et al.
 * 2024). The objective is the mean over examples of Σ −log p(completion | prompt)
 * with `add(v)` active; its gradient with respect to `v` is the sum over
 * positions of the gradient at the hook (an added constant has an identity
 * Jacobian), so each example costs one forward and one backward pass per step.
 * Adam updates, then a projection onto ‖v‖ ≤ maxNorm keeps the vector in the
 * range of the residual stream (`norm: "sphere"` projects onto ‖v‖ = maxNorm
 * instead, which optimises the direction alone at a fixed steering strength).
 * Deterministic: no sampling anywhere.
 *
 * Not here: choosing examples (callers'), saving the vector as a direction
 * artifact (src/directions owns that format).
 */
import { SeigeError } from "../util/errors.js";
import { type HookName, parseHookName, residPost } from "./hooks.js";
import type { LensModel } from "./model.js";

export interface SteeringExample {
  prompt: readonly number[];
  completion: readonly number[];
}

export interface LearnSteeringOptions {
  layer: number;
  /** default blocks.{layer}.hook_resid_post */
  hook?: string;
  steps?: number; // default 30
  lr?: number; // Adam step size, default 0.1
  /** ‖v‖ bound (default: 4 × the mean residual-norm at the hook over the prompts) */
  maxNorm?: number;
  /** starting vector (default zeros) */
  init?: readonly number[];
  /** "ball" (default): ‖v‖ ≤ maxNorm; "sphere": ‖v‖ = maxNorm after every step (needs a non-zero init) */
  norm?: "ball" | "sphere";
}

export interface LearnedSteering {
  hook: HookName;
  vector: number[];
  /** mean loss before the first step and after each step */
  history: number[];
  forwardPasses: number;
  backwardPasses: number;
}

export async function learnSteeringVector(
  model: LensModel,
  examples: readonly SteeringExample[],
  o: LearnSteeringOptions,
): Promise<LearnedSteering> {
  const d = model.config.dModel;
  const hook = (o.hook ?? residPost(o.layer)) as HookName;
  const site = parseHookName(hook, model.config.nLayers);
  if (!site || site.kind === "attn_z")
    throw new SeigeError(
      "validation_error",
      `steering hook '${hook}' is not a residual hook of this model`,
    );
  if (examples.length === 0)
    throw new SeigeError("validation_error", "learnSteeringVector needs examples");
  const steps = o.steps ?? 30;
  const lr = o.lr ?? 0.1;
  if (!Number.isInteger(steps) || steps < 0 || !(lr > 0))
    throw new SeigeError("validation_error", "learnSteeringVector: steps ≥ 0 (integer) and lr > 0");
  if (o.init && o.init.length !== d)
    throw new SeigeError("validation_error", `init has ${o.init.length} entries, d_model is ${d}`);
  const sphere = o.norm === "sphere";
  if (sphere && !o.init?.some((x) => x !== 0))
    throw new SeigeError(
      "validation_error",
      'learnSteeringVector: norm "sphere" needs a non-zero init',
    );
  let maxNorm = o.maxNorm;
  if (maxNorm === undefined) {
    let sum = 0;
    let rows = 0;
    for (const ex of examples) {
      const x = (await model.runWithCache(ex.prompt, [hook])).cache.get(hook)!.data;
      for (let r = 0; r < x.length / d; r++) {
        sum += Math.hypot(...x.subarray(r * d, (r + 1) * d));
        rows++;
      }
    }
    maxNorm = (4 * sum) / rows;
  }
  const v = Float64Array.from(o.init ?? new Array(d).fill(0));
  if (sphere) {
    const n0 = Math.hypot(...v);
    for (let i = 0; i < d; i++) v[i] *= maxNorm / n0;
  }
  const m = new Float64Array(d);
  const s = new Float64Array(d);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const history: number[] = [];
  let passes = 0;
  const evaluate = async (wantGrad: boolean) => {
    const grad = new Float64Array(d);
    let loss = 0;
    for (const ex of examples) {
      const r = await model.grad(
        ex.prompt,
        { kind: "ce", target: [...ex.completion] },
        {
          wrt: wantGrad ? [hook] : [],
          interventions: [{ kind: "add", hook, vector: Array.from(v), scale: 1 }],
        },
      );
      passes++;
      loss += r.loss / examples.length;
      const g = r.grads.get(hook)?.data;
      if (g) for (let i = 0; i < g.length; i++) grad[i % d] += g[i] / examples.length;
    }
    return { loss, grad };
  };
  for (let step = 1; step <= steps; step++) {
    const { loss, grad } = await evaluate(true);
    history.push(loss);
    for (let i = 0; i < d; i++) {
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      s[i] = b2 * s[i] + (1 - b2) * grad[i] * grad[i];
      v[i] -= (lr * (m[i] / (1 - b1 ** step))) / (Math.sqrt(s[i] / (1 - b2 ** step)) + eps);
    }
    const norm = Math.hypot(...v);
    if (norm > maxNorm || (sphere && norm > 0)) for (let i = 0; i < d; i++) v[i] *= maxNorm / norm;
  }
  history.push((await evaluate(false)).loss);
  return {
    hook,
    vector: Array.from(v),
    history,
    forwardPasses: passes,
    backwardPasses: steps * examples.length,
  };
}
