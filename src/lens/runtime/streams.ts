/**
 * The residual streams that sequences keep in the prefix cache, and the reuse they
 * allow. Edits change no block below the first one they touch
 * (`SequencePlan.firstEditedBlock`): there a sequence's keys, values and stream are
 * those of the plain run. So a cached entry computed under one intervention list serves
 * a prompt under another for the blocks below both lists' first edited block, and the
 * blocks above are run again from the entry's stream at that block. This is the steered
 * Red's case in the arena: each tick it sends its session's history again under a new
 * steer, a new cache signature, and before this every block of that history was run
 * again. It is also a benign session's, whose plain history comes back under an
 * operator-approved steer (stage 2 on): a plain entry's stream serves it, and the steered
 * entry's serves the session's next, plain, request.
 *
 * The stream kept is each block's output before its resid_post hook (so an edit at
 * resid_post, which first reaches the next block, leaves it plain), per token, for
 * blocks 0 … L − 2 (what enters blocks 1 … L − 1), only on engines that can start at a
 * middle block (`Engine.startsMidway`), and only while it fits `PrefixCache.keepsStream`.
 */
import { type HookName, residPost } from "../hooks.js";
import { type Engine, type HookVisitor, prefillChunk } from "./engine.js";
import type { SequencePlan } from "./plan.js";
import type { PrefixCache, PrefixMatch } from "./prefix-cache.js";
import { headMasks, makeVisitor } from "./visitor.js";

/** Per block l ≥ 1: the stream entering it, `[positions, D]` (block 0's is empty). */
export type Stream = Float32Array[];

/** A stream for `positions` tokens of a model of `nLayers` blocks and width `d`. */
export function newStream(nLayers: number, d: number, positions: number): Stream {
  return Array.from({ length: nLayers }, (_, l) => new Float32Array(l === 0 ? 0 : positions * d));
}

/** Copies the first `m.length` tokens of a matched entry's stream; false when it kept none. */
export function streamFromEntry(stream: Stream, m: PrefixMatch, d: number): boolean {
  const from = m.entry.resid;
  if (from === null) return false;
  for (let l = 1; l < stream.length; l++) stream[l].set(from[l].subarray(0, m.length * d));
  return true;
}

/**
 * `visit`, first copying each block's output (before its resid_post hook) into the
 * stream of the sequence its row holds, at the row's positions; rows without a stream,
 * and padding columns (position −1), are skipped.
 */
export function recordStreams(
  visit: HookVisitor | undefined,
  streams: readonly (Stream | null)[],
  positions: Int32Array,
): HookVisitor | undefined {
  if (streams.every((s) => s === null)) return visit;
  const b = streams.length;
  const t = positions.length / b;
  const blocks = new Map(
    Array.from({ length: (streams.find((s) => s !== null)?.length ?? 1) - 1 }, (_, l) => [
      residPost(l) as string,
      l + 1,
    ]),
  );
  const record = (name: HookName, x: Float32Array, dims: number[]) => {
    const into = blocks.get(name);
    if (into !== undefined) {
      const d = dims[2];
      for (let i = 0; i < b; i++) {
        const stream = streams[i];
        if (stream === null) continue;
        for (let c = 0; c < t; c++) {
          const pos = positions[i * t + c];
          if (pos >= 0) stream[into].set(x.subarray((i * t + c) * d, (i * t + c + 1) * d), pos * d);
        }
      }
    }
    return visit?.(name, x, dims);
  };
  // Block outputs are visited on every path, so recording adds no hook inside a block.
  return Object.assign(record, { hooks: visit ? visit.hooks : new Set<string>() });
}

/**
 * Seeds the cache with an edited prompt's KV from an entry computed under another list
 * (the longest one with a stream, `PrefixCache.source`): blocks below both lists' first
 * edited block copied, blocks above run from the entry's stream with this list's edits,
 * the result stored under `signature` with its own stream. Does nothing when the cache
 * already holds as much under `signature`, or when less than `minTokens` would be gained.
 */
export async function rebuildFromSource(
  engine: Engine,
  prompt: readonly number[],
  plan: SequencePlan,
  signature: string,
  cache: PrefixCache,
  minTokens: number,
): Promise<void> {
  const cfg = engine.config;
  const first = plan.firstEditedBlock;
  if (!engine.startsMidway || first === 0) return;
  const limit = prompt.length - 1;
  const have = cache.match(signature, prompt, limit, false)?.length ?? 0;
  const src = cache.source(prompt, limit, first);
  if (src === null || src.entry.resid === null || src.length - have < minTokens) return;
  const n = src.length;
  const d = cfg.dModel;
  const kv = engine.emptyCache(1, n);
  cache.load(engine, kv, 0, src);
  // Below `from` the stream is the source's; above it, this run's.
  const stream = newStream(cfg.nLayers, d, n);
  for (let l = 1; l <= Math.min(src.from, cfg.nLayers - 1); l++)
    stream[l].set(src.entry.resid[l].subarray(0, n * d));
  if (src.from < cfg.nLayers) {
    kv.length = 0;
    const chunk = prefillChunk(1, cfg.nHeads, kv.capacity);
    const masks = headMasks([plan], cfg.nHeads);
    for (let c0 = 0; c0 < n; c0 += chunk) {
      const c1 = Math.min(n, c0 + chunk);
      const positions = Int32Array.from({ length: c1 - c0 }, (_, i) => c0 + i);
      const visit = makeVisitor({ plans: [plan], positions });
      await engine.step({
        batch: 1,
        ids: prompt.slice(c0, c1),
        positions,
        cache: kv,
        headMasks: masks,
        // Blocks from `from` on write the stream entering the blocks after them.
        visit: recordStreams(visit, [stream], positions),
        from: { layer: src.from, x: src.entry.resid[src.from].subarray(c0 * d, c1 * d) },
        logits: "none",
      });
    }
  }
  kv.length = n;
  cache.store(engine, kv, 0, signature, prompt.slice(0, n), { firstEdited: first, resid: stream });
  cache.stats.rebuiltTokens += n;
}
