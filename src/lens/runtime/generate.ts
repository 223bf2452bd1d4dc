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
import { CACHE_COLUMNS_STEP, type Engine, prefillChunk, type StepOutput } from "./engine.js";
import { compilePlan } from "./plan.js";
import { type PrefixCache, prefixSignature } from "./prefix-cache.js";
import { checkSampling, type SamplingOptions, sampleToken } from "./sample.js";
import {
  newStream,
  rebuildFromSource,
  recordStreams,
  type Stream,
  streamFromEntry,
} from "./streams.js";
import { headMasks, makeVisitor } from "./visitor.js";

export interface GenerateOptions extends SamplingOptions {
  /** one intervention list per prompt (same length as the prompts) */
  interventions?: (readonly InterventionInput[] | undefined)[];
  maxNewTokens?: number;
  /** one seed for every sequence, or one per prompt (default 0) */
  seed?: number | number[];
  /** token ids and/or strings that end a sequence; EOS ids are always included */
  stop?: (string | number)[];
  /**
   * Reuse (and store) the KV of already-run token prefixes (prefix-cache.ts); the
   * common prefix of a batch's prompts is then run once, not once per prompt.
   */
  prefixCache?: PrefixCache;
  /** prefill columns per step (default: sized by the engine's `prefillChunk`) */
  prefillChunk?: number;
}

/** A batch's common prompt prefix is run once on its own when it is at least this long. */
const MIN_SHARED_PREFIX = 32;

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
  checkSampling(opts);
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

  const cache = opts.prefixCache;
  const sigs = plans.map((p) => (cache ? prefixSignature(p) : null));
  if (cache) {
    await runSharedPrefixes(engine, prompts, ivs, sigs, cache, decode);
    for (let s = 0; s < b; s++) {
      const sig = sigs[s];
      if (sig !== null)
        await rebuildFromSource(engine, prompts[s], plans[s], sig, cache, MIN_SHARED_PREFIX);
    }
  }
  // Each prompt's longest cached prefix (never the whole prompt: its last position's
  // logits and captures come from this run).
  const reuse = prompts.map((p, s) => {
    const sig = sigs[s];
    return cache && sig !== null ? cache.match(sig, p, p.length - 1) : null;
  });
  const pre = reuse.map((m) => m?.length ?? 0);
  // Sequences keep their residual stream with their KV (streams.ts), from the cached
  // prefix's (when it kept one) and every token run here.
  const streams: (Stream | null)[] = prompts.map((p, s) => {
    const sig = sigs[s];
    if (!cache || !engine.startsMidway || sig === null) return null;
    if (!cache.keepsStream(p.length + maxNew, cfg.dModel, cfg.nLayers)) return null;
    const stream = newStream(cfg.nLayers, cfg.dModel, p.length + maxNew);
    const m = reuse[s];
    return m === null || streamFromEntry(stream, m, cfg.dModel) ? stream : null;
  });
  if (cache) {
    for (let s = 0; s < b; s++) {
      cache.stats.reusedTokens += pre[s];
      cache.stats.prefilledTokens += prompts[s].length - pre[s];
    }
  }
  const captures: CaptureResult[][] = plans.map(() => []);
  // Rows each capture has seen so far (the prompt's, after prefill), for running means.
  const rowsSeen = prompts.map(
    (p, s) => new Map<number, number>(plans[s].list.map((_, i) => [i, p.length])),
  );
  // Chunks only where every capture reads the last token (it is in the last chunk);
  // `all` and `mean` captures see the whole prompt in one step.
  const lastOnly = plans.every((p) =>
    p.list.every((iv) => iv.kind !== "capture" || iv.reduce === "last"),
  );

  // Prefill what is not cached, in groups of rows of similar length: one left-padded
  // batch would run every row as long as the longest (a steered request, whose KV no
  // cache holds, next to rows that need only their new turn). Each group's rows are
  // then copied into one buffer for the batched decode.
  const v = cfg.vocabSize;
  const groups = prefillGroups(prompts.map((p, s) => p.length - pre[s]));
  // One buffer for the batch, its rows in group order: each group prefills into a view
  // of its own rows, and the decode runs on the whole buffer, so no row is copied.
  const spans = groups.map((rows) => ({
    rows,
    gPre: Math.max(...rows.map((s) => pre[s])),
    rest: Math.max(...rows.map((s) => prompts[s].length - pre[s])),
  }));
  const columns = Math.max(...spans.map((g) => g.gPre + g.rest));
  const kv = engine.emptyCache(b, columns + maxNew);
  const order = groups.flat(); // buffer row → sequence
  const logits = new Float32Array(b * v); // by buffer row
  let first = 0;
  for (const { rows, gPre, rest } of spans) {
    const only = groups.length === 1;
    const gb = rows.length;
    const view = engine.rowsOf(kv, first, gb);
    // Chunks sized as for a buffer of the group's own (their floats do not depend on the rest).
    const ownCapacity =
      Math.ceil((gPre + rest + (only ? maxNew : 0)) / CACHE_COLUMNS_STEP) * CACHE_COLUMNS_STEP;
    rows.forEach((s, i) => {
      const m = reuse[s];
      if (m && cache) cache.load(engine, view, i, m);
    });
    view.length = gPre;
    const ids: number[] = [];
    const positions = new Int32Array(gb * rest);
    rows.forEach((s, i) => {
      const p = prompts[s];
      const padN = rest - (p.length - pre[s]);
      for (let c = 0; c < rest; c++) {
        ids.push(c < padN ? pad : p[pre[s] + c - padN]);
        positions[i * rest + c] = c < padN ? -1 : pre[s] + c - padN;
      }
    });
    const gPlans = rows.map((s) => plans[s]);
    const gCaptures: CaptureResult[][] = rows.map(() => []);
    const gMasks = headMasks(gPlans, cfg.nHeads);
    const zLayers = new Set<number>();
    for (const p of gPlans) for (const l of p.zLayers) zLayers.add(l);
    const perChunk = prefillChunk(gb, cfg.nHeads, ownCapacity);
    const chunk = lastOnly ? Math.max(1, opts.prefillChunk ?? perChunk) : rest;
    let last: StepOutput | null = null;
    for (let c0 = 0; c0 < rest; c0 += chunk) {
      const c1 = Math.min(rest, c0 + chunk);
      const w = c1 - c0;
      const chunkIds: number[] = [];
      const chunkPos = new Int32Array(gb * w);
      for (let i = 0; i < gb; i++) {
        for (let c = c0; c < c1; c++) chunkIds.push(ids[i * rest + c]);
        chunkPos.set(positions.subarray(i * rest + c0, i * rest + c1), i * w);
      }
      last = await engine.step({
        batch: gb,
        ids: chunkIds,
        positions: chunkPos,
        cache: view,
        headMasks: gMasks,
        visit: recordStreams(
          makeVisitor({
            plans: gPlans,
            positions: chunkPos,
            captures: c1 === rest ? gCaptures : undefined,
          }),
          rows.map((s) => streams[s]),
          chunkPos,
        ),
        zLayers,
        logits: "last",
      });
    }
    if (last === null) throw new RangeError("generate: nothing to prefill");
    logits.set(last.logits.subarray(0, gb * v), first * v);
    rows.forEach((s, i) => {
      captures[s] = gCaptures[i];
    });
    first += gb;
  }
  // Rows of shorter groups have no columns past their own (positions −1, masked).
  kv.length = columns;
  let res: StepOutput = { logits, cache: kv };
  const fed = prompts.map((p) => p.length);

  const out: number[][] = prompts.map(() => []);
  const done: ("stop" | "length" | null)[] = prompts.map(() => null);
  const texts: (string | null)[] = prompts.map(() => null);
  // Captures read every decode step too, so they need the visitor as much as edits do.
  const hasEdits = plans.some((p) => p.edits || p.list.some((iv) => iv.kind === "capture"));
  // The buffer's rows, as sequence indices. A decode step's cost grows with rows × columns,
  // and a finished reply would run on as padding until the longest ends, so finished rows
  // leave the buffer (after their KV is stored) once they are a quarter of it; the rows
  // kept move up within it.
  let rows = order;
  let rowPlans = rows.map((s) => plans[s]);
  let rowMasks = headMasks(rowPlans, cfg.nHeads);
  const storeRow = (s: number, row: number) => {
    const sig = sigs[s];
    const stream = streams[s];
    // Every token fed through the model (the last sampled one never was).
    if (cache && sig !== null)
      cache.store(
        engine,
        res.cache,
        row,
        sig,
        [...prompts[s], ...out[s]].slice(0, fed[s]),
        stream ? { firstEdited: plans[s].firstEditedBlock, resid: stream } : undefined,
      );
  };
  for (let n = 0; n < maxNew; n++) {
    rows.forEach((s, i) => {
      if (done[s]) return;
      const tok = sampleToken(res.logits.subarray(i * v, (i + 1) * v), opts, rngs[s]);
      if (stopIds.has(tok)) {
        done[s] = "stop";
        return;
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
    });
    if (rows.every((s) => done[s]) || n === maxNew - 1) break;
    const finished = rows.filter((s) => done[s]).length;
    if (finished > 0 && 4 * finished >= rows.length) {
      rows.forEach((s, i) => {
        if (done[s]) storeRow(s, i);
      });
      const keep = rows.flatMap((s, i) => (done[s] ? [] : [i]));
      engine.keepRows(res.cache, keep);
      rows = keep.map((i) => rows[i]);
      rowPlans = rows.map((s) => plans[s]);
      rowMasks = headMasks(rowPlans, cfg.nHeads);
    }
    // Decode step: one new column per sequence at its own next position.
    const stepPos = Int32Array.from(rows, (s) => prompts[s].length + out[s].length - 1);
    const stepIds = rows.map((s) => (done[s] ? pad : out[s][out[s].length - 1]));
    const stepCaptures: CaptureResult[][] = rowPlans.map(() => []);
    res = await engine.step({
      batch: rows.length,
      ids: stepIds,
      positions: stepPos,
      cache: res.cache,
      headMasks: rowMasks,
      visit: recordStreams(
        hasEdits
          ? makeVisitor({ plans: rowPlans, positions: stepPos, captures: stepCaptures })
          : undefined,
        rows.map((s) => (done[s] ? null : streams[s])),
        stepPos,
      ),
      logits: "last",
    });
    // A finished sequence's column is padding from here on: its captures stop growing.
    stepCaptures.forEach((caps, i) => {
      const s = rows[i];
      if (!done[s]) for (const c of caps) accumulateCapture(captures[s], rowsSeen[s], c);
    });
    for (const s of rows) if (!done[s]) fed[s]++;
  }
  rows.forEach((s, i) => {
    storeRow(s, i);
  });
  return prompts.map((p, s) => ({
    promptTokens: p,
    tokens: out[s],
    text: texts[s] ?? decode(out[s]),
    finishReason: done[s] ?? "length",
    captures: captures[s].sort((x, y) => x.index - y.index),
  }));
}

/**
 * Rows (by index, ascending within a group) grouped for prefill: longest first, a row
 * joins the current group while the group's padding stays under a quarter of its padded
 * columns or 32 columns a row, so short rows are not run as long as a long one.
 */
export function prefillGroups(lengths: readonly number[]): number[][] {
  const order = lengths.map((_, s) => s).sort((x, y) => lengths[y] - lengths[x] || x - y);
  const groups: number[][] = [];
  let rows: number[] = [];
  let longest = 0;
  let sum = 0;
  for (const s of order) {
    const n = rows.length + 1;
    const padded = n * longest;
    if (rows.length > 0 && padded - (sum + lengths[s]) > Math.max(0.25 * padded, 32 * n)) {
      groups.push(rows);
      rows = [];
      sum = 0;
    }
    if (rows.length === 0) longest = lengths[s];
    rows.push(s);
    sum += lengths[s];
  }
  if (rows.length > 0) groups.push(rows);
  return groups.map((g) => g.sort((x, y) => x - y));
}

/**
 * Runs once, and stores, the longest common prefix of the prompts that share an
 * intervention signature, when it is not cached yet: a tick's sessions all start with
 * the episode's system prompt, which is then prefilled once rather than once per row.
 */
async function runSharedPrefixes(
  engine: Engine,
  prompts: number[][],
  ivs: (readonly InterventionInput[] | undefined)[],
  sigs: (string | null)[],
  cache: PrefixCache,
  decode: (ids: number[]) => string,
): Promise<void> {
  const groups = new Map<string, number[]>();
  sigs.forEach((sig, s) => {
    if (sig !== null) groups.set(sig, [...(groups.get(sig) ?? []), s]);
  });
  for (const [sig, rows] of groups) {
    if (rows.length < 2) continue;
    const first = prompts[rows[0]];
    let n = Math.min(...rows.map((s) => prompts[s].length - 1));
    for (const s of rows) {
      let k = 0;
      while (k < n && prompts[s][k] === first[k]) k++;
      n = k;
    }
    const have = cache.match(sig, first, n)?.length ?? 0;
    if (n - have < MIN_SHARED_PREFIX) continue;
    // The same list without its captures: the prefix's KV does not depend on them.
    const list = (ivs[rows[0]] ?? []).filter((iv) => iv.kind !== "capture");
    await generateBatch(engine, [first.slice(0, n)], decode, {
      interventions: [list],
      maxNewTokens: 1,
      prefixCache: cache,
    });
  }
}
