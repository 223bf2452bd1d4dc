/**
 * The scalar losses a gradient can be taken of, as data (zod-validated at the
 * boundary), and what each one means for the backward pass:
 *
 * - `ce`: Σ_k −log p(target_k | tokens, target_<k): cross-entropy (summed, so
 *   that −loss is the log-probability the suffix search scores) of a target
 *   continuation. The forward runs on `tokens ++ target[0..n−2]`.
 * - `logit_diff`: logit[A] − logit[B] at one position (default the last).
 * - `probe`: a linear probe's score `w·x + b` on a residual hook, at one
 *   position or averaged over all; its gradient starts at that hook, not at the
 *   logits, so layers above it are never run backward.
 *
 * `headCoefficients` turns a logit loss into the head graph's `(α, β)` inputs
 * (head.ts) and `lossValue` reads the loss off the logits. Not here: the walk
 * down the blocks (backward.ts).
 */
import { z } from "zod";
import { SeigeError } from "../../util/errors.js";
import { parseHookName } from "../hooks.js";
import type { ModelConfig } from "../types.js";

const tokenId = z.number().int().nonnegative();
const position = z.union([z.literal("last"), z.number().int().nonnegative()]);

export const CeLossSchema = z.strictObject({
  kind: z.literal("ce"),
  target: z.array(tokenId).min(1),
});
export const LogitDiffLossSchema = z.strictObject({
  kind: z.literal("logit_diff"),
  a: tokenId,
  b: tokenId,
  position: position.default("last"),
});
export const ProbeLossSchema = z.strictObject({
  kind: z.literal("probe"),
  hook: z.string(),
  weight: z.array(z.number().finite()).min(1),
  bias: z.number().finite().default(0),
  position: z.union([position, z.literal("mean")]).default("last"),
});
export const LossSchema = z.discriminatedUnion("kind", [
  CeLossSchema,
  LogitDiffLossSchema,
  ProbeLossSchema,
]);
export type LossSpec = z.infer<typeof LossSchema>;
export type LossInput = z.input<typeof LossSchema>;
export type ProbeLoss = z.infer<typeof ProbeLossSchema>;

/** Parses and checks a loss against the model; throws a validation_error naming the field. */
export function parseLoss(input: unknown, cfg: ModelConfig): LossSpec {
  const r = LossSchema.safeParse(input);
  if (!r.success) throw new SeigeError("validation_error", `invalid loss: ${r.error.message}`);
  const loss = r.data;
  const checkToken = (t: number, what: string) => {
    if (t >= cfg.vocabSize)
      throw new SeigeError(
        "validation_error",
        `loss ${what} ${t} is outside the vocabulary [0, ${cfg.vocabSize})`,
      );
  };
  if (loss.kind === "ce") for (const t of loss.target) checkToken(t, "target token");
  if (loss.kind === "logit_diff") {
    checkToken(loss.a, "token A");
    checkToken(loss.b, "token B");
  }
  if (loss.kind === "probe") {
    const site = parseHookName(loss.hook, cfg.nLayers);
    if (!site || site.kind === "attn_z")
      throw new SeigeError(
        "validation_error",
        `probe hook '${loss.hook}' must be hook_embed or a blocks.{l}.hook_* residual/output hook of this model`,
      );
    if (loss.weight.length !== cfg.dModel)
      throw new SeigeError(
        "validation_error",
        `probe weight has ${loss.weight.length} entries, but d_model is ${cfg.dModel}`,
      );
  }
  return loss;
}

/** The token ids the forward pass runs on for this loss. */
export function runTokens(tokens: readonly number[], loss: LossSpec): number[] {
  return loss.kind === "ce" ? [...tokens, ...loss.target.slice(0, -1)] : [...tokens];
}

function row(pos: "last" | number, t: number, what: string): number {
  const p = pos === "last" ? t - 1 : pos;
  if (p >= t)
    throw new SeigeError("validation_error", `${what} position ${p} is past the ${t} tokens`);
  return p;
}

/** (α [T], β [T·V]) with dlogits = α ⊙ softmax + β; null for a probe (no logits involved). */
export function headCoefficients(
  loss: LossSpec,
  nPrompt: number,
  t: number,
  vocab: number,
): { alpha: Float32Array; beta: Float32Array } | null {
  if (loss.kind === "probe") return null;
  const alpha = new Float32Array(t);
  const beta = new Float32Array(t * vocab);
  if (loss.kind === "ce") {
    loss.target.forEach((tok, k) => {
      const r = nPrompt - 1 + k;
      alpha[r] += 1;
      beta[r * vocab + tok] -= 1;
    });
  } else {
    const r = row(loss.position, t, "logit_diff");
    beta[r * vocab + loss.a] += 1;
    beta[r * vocab + loss.b] -= 1;
  }
  return { alpha, beta };
}

/** The loss read off the logits [T, V] (f64 log-sum-exp). */
export function lossValue(
  loss: LossSpec,
  logits: Float32Array,
  nPrompt: number,
  vocab: number,
): number {
  const t = logits.length / vocab;
  if (loss.kind === "ce") {
    let total = 0;
    loss.target.forEach((tok, k) => {
      const r = logits.subarray((nPrompt - 1 + k) * vocab, (nPrompt + k) * vocab);
      let max = Number.NEGATIVE_INFINITY;
      for (const v of r) if (v > max) max = v;
      let s = 0;
      for (const v of r) s += Math.exp(v - max);
      total -= r[tok] - max - Math.log(s);
    });
    return total;
  }
  if (loss.kind === "logit_diff") {
    const r = row(loss.position, t, "logit_diff");
    return logits[r * vocab + loss.a] - logits[r * vocab + loss.b];
  }
  throw new RangeError("lossValue: a probe's loss is read from its hook, not the logits");
}

/** The probe's score on the hook's activation [T, d], and its gradient there (the backward's source). */
export function probeScore(
  loss: ProbeLoss,
  x: Float32Array,
  d: number,
): { value: number; source: Float32Array } {
  const t = x.length / d;
  const rows =
    loss.position === "mean"
      ? Array.from({ length: t }, (_, i) => i)
      : [row(loss.position, t, "probe")];
  const share = 1 / rows.length;
  const source = new Float32Array(x.length);
  let value = loss.bias;
  for (const r of rows) {
    for (let i = 0; i < d; i++) {
      value += share * loss.weight[i] * x[r * d + i];
      source[r * d + i] = share * loss.weight[i];
    }
  }
  return { value, source };
}

/** `ce:4,5` | `logit-diff:A,B` (the CLI spelling; `probe:FILE` is read by the CLI). */
export function parseLossFlag(flag: string): LossInput | { kind: "probe_file"; path: string } {
  const i = flag.indexOf(":");
  const kind = i < 0 ? flag : flag.slice(0, i);
  const arg = i < 0 ? "" : flag.slice(i + 1);
  const ids = () =>
    arg.split(",").map((s) => {
      const n = Number(s.trim());
      if (s.trim() === "" || !Number.isInteger(n) || n < 0)
        throw new SeigeError("validation_error", `--loss ${flag}: '${s}' is not a token id`);
      return n;
    });
  if (kind === "ce") return { kind: "ce", target: ids() };
  if (kind === "logit-diff") {
    const v = ids();
    if (v.length !== 2)
      throw new SeigeError("validation_error", `--loss logit-diff needs two token ids A,B`);
    return { kind: "logit_diff", a: v[0], b: v[1] };
  }
  if (kind === "probe" && arg !== "") return { kind: "probe_file", path: arg };
  throw new SeigeError(
    "validation_error",
    `--loss must be ce:IDS, logit-diff:A,B or probe:FILE (got '${flag}')`,
  );
}
