// Central finite differences of the plain-TS reference forward, the oracle the
// gradient tests compare the ORT backward graphs against.
import type { Checkpoint } from "../../../src/lens/checkpoint.js";
import {
  type LossInput,
  lossValue,
  parseLoss,
  probeScore,
  runTokens,
} from "../../../src/lens/grad/loss.js";
import type { HookName } from "../../../src/lens/hooks.js";
import type { InterventionInput } from "../../../src/lens/interventions.js";
import { referenceForward } from "../../../src/lens/reference/index.js";

/** The loss of the reference forward with `delta` added at `hook` ([T, width]). */
export function referenceLoss(
  ck: Checkpoint,
  tokens: readonly number[],
  lossInput: LossInput,
  hook: HookName | null,
  delta: Float32Array | null,
  interventions: readonly InterventionInput[] = [],
): number {
  const loss = parseLoss(lossInput, ck.config);
  const run = runTokens(tokens, loss);
  let probeAct: Float32Array | null = null;
  const res = referenceForward(ck, run, {
    interventions,
    hookFn: (name, x) => {
      if (name === hook && delta) for (let i = 0; i < x.length; i++) x[i] += delta[i];
      if (loss.kind === "probe" && name === loss.hook) probeAct = x.slice();
    },
  });
  if (loss.kind === "probe") return probeScore(loss, probeAct!, ck.config.dModel).value;
  return lossValue(loss, res.logits, tokens.length, ck.config.vocabSize);
}

/** (L(x+εv) − L(x−εv)) / 2ε. */
export function directionalFd(
  ck: Checkpoint,
  tokens: readonly number[],
  loss: LossInput,
  hook: HookName,
  v: Float32Array,
  eps: number,
  interventions: readonly InterventionInput[] = [],
): number {
  const plus = v.map((x) => x * eps);
  const minus = v.map((x) => -x * eps);
  return (
    (referenceLoss(ck, tokens, loss, hook, plus, interventions) -
      referenceLoss(ck, tokens, loss, hook, minus, interventions)) /
    (2 * eps)
  );
}
