/**
 * `referenceForward`: the plain-TypeScript forward pass that is the lens runtime's
 * test oracle (no ORT). It runs one sequence, uncached, through the architecture's
 * file (gpt2.ts, llama.ts, gemma.ts, gemma4.ts), applying declarative interventions and an
 * optional TypeScript hook function at the hook points as they are computed, and
 * returns the logits for every position plus the requested hook activations.
 *
 * Not here: batching, KV caches, sampling (model.ts builds those on ORT and is
 * checked against this). Tokens are used as given: no BOS is added.
 */
import { SeigeError } from "../../util/errors.js";
import { type HookName, hookShape } from "../hooks.js";
import type { CaptureResult } from "../intervene.js";
import { validateInterventions } from "../intervene.js";
import { type InterventionInput, InterventionListSchema } from "../interventions.js";
import type { ModelConfig, TensorStore } from "../types.js";
import { gemmaForward } from "./gemma.js";
import { gemma4Forward } from "./gemma4.js";
import { gpt2Forward } from "./gpt2.js";
import { type HookFn, HookRunner } from "./hook-runner.js";
import { llamaForward } from "./llama.js";

export interface ReferenceOptions {
  /** declarative interventions (JSON form; defaults are applied here) */
  interventions?: readonly InterventionInput[];
  /** hook names to return in `cache`, or "all" */
  hooks?: readonly HookName[] | "all";
  /** heads to zero before W_O, same as `head_mask` interventions */
  headMask?: readonly { layer: number; heads: number[] }[];
  /** arbitrary hook function, called at every hook point after the interventions there */
  hookFn?: HookFn;
}

export interface ReferenceResult {
  /** [pos, vocab] */
  logits: Float32Array;
  /** requested hooks: [pos, d_model], or [pos, n_heads, d_head] for attn.hook_z */
  cache: Map<HookName, Float32Array>;
  /** results of `capture` interventions, in the order they appear in the list */
  captures: CaptureResult[];
}

export function referenceForward(
  checkpoint: { config: ModelConfig; tensors: TensorStore },
  tokens: readonly number[],
  opts: ReferenceOptions = {},
): ReferenceResult {
  const c = checkpoint.config;
  if (tokens.length === 0)
    throw new SeigeError("validation_error", "referenceForward needs at least one token");
  for (const tok of tokens) {
    if (!Number.isInteger(tok) || tok < 0 || tok >= c.vocabSize) {
      throw new SeigeError(
        "validation_error",
        `token id ${tok} is outside the vocabulary [0, ${c.vocabSize})`,
      );
    }
  }
  if (c.absolutePositions && tokens.length > c.maxPositions) {
    throw new SeigeError(
      "validation_error",
      `${tokens.length} tokens exceed the model's ${c.maxPositions} positions`,
    );
  }
  const interventions = InterventionListSchema.parse([
    ...(opts.interventions ?? []),
    ...(opts.headMask ?? []).map((m) => ({ kind: "head_mask" as const, ...m })),
  ]);
  validateInterventions(interventions, c);
  const hooks = new HookRunner(interventions, opts.hooks, hookShape(c), tokens.length, opts.hookFn);
  const forward =
    c.arch === "gpt2"
      ? gpt2Forward
      : c.arch === "gemma4"
        ? gemma4Forward
        : c.arch === "gemma2" || c.arch === "gemma3"
          ? gemmaForward
          : llamaForward;
  const logits = forward(c, checkpoint.tensors, tokens, hooks);
  return {
    logits,
    cache: hooks.cache,
    captures: [...hooks.captures].sort((a, b) => a.index - b.index),
  };
}
