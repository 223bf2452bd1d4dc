/**
 * Batched generation with a KV cache. Prompts are left-padded to one length;
 * every column carries its sequence's absolute position (−1 for padding), which
 * drives the mask, RoPE and GPT-2 position ids, so a sequence in a batch sees
 * exactly what it would see alone. Each sequence samples from its own
 * `Rng(seed).child("sample")` stream, so its tokens do not depend on its batch
 * neighbours either.
 *
 * Interventions (per prompt) apply at prefill to the prompt positions and at
 * each decode step to the new token (see plan.ts for position semantics).
 * Captures accumulate over the prompt (at prefill) and every generated token fed
 * back (each decode step; the last sampled token is never run, as in HF): `all`
 * gives [rows, width] row-major, `mean` the mean over those rows, `last` the
 * last fed token's value; `index` is the capture's place in that prompt's list.
 * Generation stops per sequence
 * at a stop token (EOS ids by default, not included in the output), at a stop
 * string (the text is cut before it), or after `maxNewTokens`.
 */
import { SeigeError } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import type { CaptureResult } from "../intervene.js";
import type { InterventionInput } from "../interventions.js";
import { accumulateCapture } from "./captures.js";
import type { Engine } from "./engine.js";
import { compilePlan } from "./plan.js";
import { type SamplingOptions, sampleToken } from "./sample.js";
import { headMasks, makeVisitor } from "./visitor.js";

export interface GenerateOptions extends SamplingOptions {
  /** one intervention list per prompt (same length as the prompts) */
  interventions?: (readonly InterventionInput[] | undefined)[];
  maxNewTokens?: number;
  /** one seed for every sequence, or one per prompt (default 0) */
  seed?: number | number[];
  /** token ids and/or strings that end a sequence; EOS ids are always included */
  stop?: (string | number)[];
}

export interface GenerateResult {
  promptTokens: number[];
  /** new tokens, without the stop token */
  tokens: number[];
  text: string;
  finishReason: "stop" | "length";
  /** one entry per `capture` intervention, in list order */
  captures: CaptureResult[];
}

export async function generateBatch(
  engine: Engine,
  prompts: number[][],
  decode: (ids: number[]) => string,
  opts: GenerateOptions = {},
): Promise<GenerateResult[]> {
  const cfg = engine.config;
  const b = prompts.length;
  if (b === 0) return [];
  if (prompts.some((p) => p.length === 0))
    throw new SeigeError("validation_error", "generate: every prompt needs at least one token");
  const ivs = opts.interventions ?? [];
  if (opts.interventions && ivs.length !== b) {
    throw new SeigeError(
      "validation_error",
      `generate: ${ivs.length} intervention lists for ${b} prompts; pass one list per prompt`,
    );
  }
  const plans = prompts.map((_, s) => compilePlan(ivs[s] ?? [], cfg));
  const maxNew = opts.maxNewTokens ?? 32;
  const seed = opts.seed ?? 0;
  const seeds = Array.isArray(seed) ? seed : prompts.map(() => seed);
  if (seeds.length !== b)
    throw new SeigeError("validation_error", `generate: ${seeds.length} seeds for ${b} prompts`);
  const rngs = seeds.map((s) => new Rng(s).child("sample"));
  const stopIds = new Set<number>([
    ...cfg.eosTokenIds,
    ...(opts.stop ?? []).filter((x): x is number => typeof x === "number"),
  ]);
  const stopStrings = (opts.stop ?? []).filter((x): x is string => typeof x === "string");
  const pad = cfg.padTokenId ?? cfg.eosTokenIds[0] ?? 0;
  const longest = Math.max(...prompts.map((p) => p.length));
  if (longest + maxNew > cfg.maxPositions) {
    throw new SeigeError(
      "validation_error",
      `generate: ${longest}+${maxNew} tokens exceed the model's ${cfg.maxPositions} positions`,
    );
  }

  // Prefill: left padding.
  const ids: number[] = [];
  const positions = new Int32Array(b * longest);
  prompts.forEach((p, s) => {
    const padN = longest - p.length;
    for (let c = 0; c < longest; c++) {
      ids.push(c < padN ? pad : p[c - padN]);
      positions[s * longest + c] = c < padN ? -1 : c - padN;
    }
  });
  const captures: CaptureResult[][] = plans.map(() => []);
  // Rows each capture has seen so far (the prompt's, after prefill), for running means.
  const rowsSeen = prompts.map(
    (p, s) => new Map<number, number>(plans[s].list.map((_, i) => [i, p.length])),
  );
  const masks = headMasks(plans, cfg.nHeads);
  const zLayers = new Set<number>();
  for (const p of plans) for (const l of p.zLayers) zLayers.add(l);
  let res = await engine.step({
    batch: b,
    ids,
    positions,
    cache: engine.emptyCache(b, longest + maxNew),
    headMasks: masks,
    visit: makeVisitor({ plans, positions, captures }),
    zLayers,
    logits: "last",
  });

  const out: number[][] = prompts.map(() => []);
  const done: ("stop" | "length" | null)[] = prompts.map(() => null);
  const texts: (string | null)[] = prompts.map(() => null);
  // Captures read every decode step too, so they need the visitor as much as edits do.
  const hasEdits = plans.some((p) => p.edits || p.list.some((iv) => iv.kind === "capture"));
  for (let n = 0; n < maxNew; n++) {
    const v = cfg.vocabSize;
    for (let s = 0; s < b; s++) {
      if (done[s]) continue;
      const tok = sampleToken(res.logits.subarray(s * v, (s + 1) * v), opts, rngs[s]);
      if (stopIds.has(tok)) {
        done[s] = "stop";
        continue;
      }
      out[s].push(tok);
      if (stopStrings.length > 0) {
        const text = decode(out[s]);
        const hit = stopStrings.map((x) => text.indexOf(x)).filter((i) => i >= 0);
        if (hit.length > 0) {
          texts[s] = text.slice(0, Math.min(...hit));
          done[s] = "stop";
        }
      }
    }
    if (done.every((d) => d) || n === maxNew - 1) break;
    // Decode step: one new column per sequence at its own next position.
    const stepPos = Int32Array.from(prompts, (p, s) => p.length + out[s].length - 1);
    const stepIds = out.map((o, s) => (done[s] ? pad : o[o.length - 1]));
    const stepCaptures: CaptureResult[][] = plans.map(() => []);
    res = await engine.step({
      batch: b,
      ids: stepIds,
      positions: stepPos,
      cache: res.cache,
      headMasks: masks,
      visit: hasEdits
        ? makeVisitor({ plans, positions: stepPos, captures: stepCaptures })
        : undefined,
      logits: "last",
    });
    // A finished sequence's column is padding from here on: its captures stop growing.
    stepCaptures.forEach((caps, s) => {
      if (!done[s]) for (const c of caps) accumulateCapture(captures[s], rowsSeen[s], c);
    });
  }
  return prompts.map((p, s) => ({
    promptTokens: p,
    tokens: out[s],
    text: texts[s] ?? decode(out[s]),
    finishReason: done[s] ?? "length",
    captures: captures[s].sort((x, y) => x.index - y.index),
  }));
}
