/**
 * Keys and values of token sequences already run, so that a prompt starting with
 * one is prefilled only from where the cached part ends: the system prompt that
 * every session of an episode shares, and a session's history, which is its
 * previous request plus the reply generated for it. Generation (generate.ts)
 * looks up each prompt's longest cached prefix, copies its columns into the
 * batch's KV buffer (copy-on-use: an entry is never written after it is stored),
 * and stores every finished sequence (prompt and the generated tokens that were
 * fed back).
 *
 * Entries are keyed by the sequence's intervention signature (`prefixSignature`):
 * a steer at layer L changes the keys and values of every later layer, so KV
 * computed under one intervention list is reused only under the same list.
 * Last-token captures read activations without changing them, so a probe and the
 * plain request share entries; a plan with any other capture needs every prompt
 * row run and uses no cache.
 *
 * Bounded by bytes, least recently used first out. An entry whose tokens are a
 * prefix of a newer entry's (same signature) is dropped when the newer one is
 * stored: the newer one answers every lookup it answered.
 *
 * An entry also keeps its residual stream (each block's output before its resid_post
 * hook, per token) while it is small enough (`keepsStream`). Edits change no block
 * below the first one they touch (`SequencePlan.firstEditedBlock`), so the entry can
 * seed a prompt under *another* list: the blocks below both lists' first edited block
 * are copied, the blocks above are run again from the kept stream (generate.ts,
 * `rebuildFromSource`).
 * That is the steered Red's case: its session's history, run again each tick under a
 * new steer; and a benign session's history coming back under approved steering.
 */
import type { Engine, KvCache } from "./engine.js";
import type { SequencePlan } from "./plan.js";

interface Entry {
  signature: string;
  /** the first block the entry's edits change (nLayers when none) */
  firstEdited: number;
  /** per block l ≥ 1: block l − 1's output before its resid_post hook, `[n, D]`; or null */
  resid: Float32Array[] | null;
  tokens: readonly number[];
  /** per layer: keys `[Hkv, hd, n]`, values `[Hkv, n, hd]` (as the engine's buffers; empty for KV-shared layers) */
  keys: Float32Array[];
  values: Float32Array[];
  bytes: number;
}

export interface PrefixMatch {
  entry: Entry;
  /** tokens of the prompt covered by the entry */
  length: number;
}

/** An entry that can seed another intervention list's KV from block `from` up. */
export interface SourceMatch extends PrefixMatch {
  from: number;
}

/** What a sequence's entry keeps besides its KV. */
export interface StreamInfo {
  firstEdited: number;
  /** per block l ≥ 1, at least `[n, D]` (rows past n are not kept) */
  resid: Float32Array[];
}

/** Default byte budget of a `PrefixCache`. */
export const PREFIX_CACHE_BYTES = 128 * 2 ** 20;

/** The signature of a sequence run with no edits (captures of the last token aside). */
export const PLAIN_SIGNATURE = "[]";

/**
 * The key under which a sequence's KV may be shared: its intervention list without
 * last-token captures; null when the plan captures anything else (those captures
 * need every prompt row run).
 */
export function prefixSignature(plan: SequencePlan): string | null {
  const kept = [];
  for (const iv of plan.list) {
    if (iv.kind !== "capture") kept.push(iv);
    else if (iv.reduce !== "last") return null;
  }
  return kept.length === 0 ? PLAIN_SIGNATURE : JSON.stringify(kept);
}

export class PrefixCache {
  /** least recently used first */
  private entries: Entry[] = [];
  private used = 0;
  /** prompt tokens served from the cache and prompt tokens run, since creation */
  readonly stats = { reusedTokens: 0, prefilledTokens: 0, rebuiltTokens: 0 };

  constructor(readonly maxBytes: number = PREFIX_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
    this.used = 0;
  }

  /**
   * The entry sharing the longest prefix with `tokens` (at most `limit` of them), or null.
   * A match counts as a use (least recently used entries go first) unless `touch` is false.
   */
  match(
    signature: string,
    tokens: readonly number[],
    limit: number,
    touch = true,
  ): PrefixMatch | null {
    let best: PrefixMatch | null = null;
    for (const e of this.entries) {
      if (e.signature !== signature) continue;
      const n = Math.min(limit, e.tokens.length, tokens.length);
      let k = 0;
      while (k < n && e.tokens[k] === tokens[k]) k++;
      if (k > 0 && (best === null || k > best.length)) best = { entry: e, length: k };
    }
    if (best && touch) {
      // Most recently used last.
      this.entries.splice(this.entries.indexOf(best.entry), 1);
      this.entries.push(best.entry);
    }
    return best;
  }

  /**
   * Whether an entry of `n` tokens keeps its residual stream: at most an eighth of the
   * budget (on a wide, deep model the stream outweighs the KV, and one entry would push
   * the others out; there every block is run again, as without it).
   */
  keepsStream(n: number, dModel: number, nLayers: number): boolean {
    return 4 * n * dModel * (nLayers - 1) <= this.maxBytes / 8;
  }

  /**
   * The entry with a residual stream sharing the longest prefix with `tokens` (at most
   * `limit`) whose KV is the right one below some block ≥ 1 for a list that first edits
   * block `firstEdited`; ties go to the higher block. Null when none.
   */
  source(tokens: readonly number[], limit: number, firstEdited: number): SourceMatch | null {
    let best: SourceMatch | null = null;
    for (const e of this.entries) {
      const from = Math.min(e.firstEdited, firstEdited);
      if (e.resid === null || from < 1) continue;
      const n = Math.min(limit, e.tokens.length, tokens.length);
      let k = 0;
      while (k < n && e.tokens[k] === tokens[k]) k++;
      if (k > 0 && (best === null || k > best.length || (k === best.length && from > best.from)))
        best = { entry: e, length: k, from };
    }
    if (best) {
      this.entries.splice(this.entries.indexOf(best.entry), 1);
      this.entries.push(best.entry);
    }
    return best;
  }

  /**
   * Stores row `row` of `cache` as the KV of `tokens` (the row's columns with positions
   * 0 … tokens.length − 1, wherever they sit in the buffer), and the sequence's
   * residual stream when given.
   */
  store(
    engine: Engine,
    cache: KvCache,
    row: number,
    signature: string,
    tokens: readonly number[],
    stream?: StreamInfo,
  ): void {
    const n = tokens.length;
    if (n === 0) return;
    // An entry that already holds these tokens (or more) makes this one redundant.
    for (const e of this.entries) {
      if (e.signature !== signature || e.tokens.length < n) continue;
      let k = 0;
      while (k < n && e.tokens[k] === tokens[k]) k++;
      if (k === n) return;
    }
    const runs = columnRuns(cache, row, n);
    if (runs === null) return; // a position is missing: never store a partial row
    const cfg = engine.config;
    const kv = cfg.nKvHeads;
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    let bytes = 0;
    for (let l = 0; l < cfg.nLayers; l++) {
      const width = engine.columnFloats(l);
      const hd = width / kv;
      const k = new Float32Array(n * width);
      const v = new Float32Array(n * width);
      const cap = cache.capacity;
      for (let h = 0; h < kv && hd > 0; h++) {
        const src = (row * kv + h) * cap * hd;
        for (const r of runs) {
          const from = src + r.column * hd;
          v.set(cache.values[l].subarray(from, from + r.length * hd), (h * n + r.position) * hd);
          for (let e = 0; e < hd; e++) {
            const kFrom = src + e * cap + r.column;
            k.set(cache.keys[l].subarray(kFrom, kFrom + r.length), (h * hd + e) * n + r.position);
          }
        }
      }
      keys.push(k);
      values.push(v);
      bytes += 8 * n * width;
    }
    const d = cfg.dModel;
    const resid =
      stream && this.keepsStream(n, d, cfg.nLayers)
        ? stream.resid.map((x, l) => x.slice(0, l === 0 ? 0 : n * d))
        : null;
    for (const x of resid ?? []) bytes += x.byteLength;
    if (bytes > this.maxBytes) return;
    this.entries = this.entries.filter((e) => {
      const dominated =
        e.signature === signature &&
        e.tokens.length <= n &&
        e.tokens.every((t, i) => t === tokens[i]);
      if (dominated) this.used -= e.bytes;
      return !dominated;
    });
    this.entries.push({
      signature,
      firstEdited: stream?.firstEdited ?? cfg.nLayers,
      resid,
      tokens: tokens.slice(),
      keys,
      values,
      bytes,
    });
    this.used += bytes;
    while (this.used > this.maxBytes) {
      const old = this.entries.shift();
      if (!old) break;
      this.used -= old.bytes;
    }
  }

  /** Writes the first `m.length` tokens of `m.entry` into row `row`, columns 0 … length − 1. */
  load(engine: Engine, cache: KvCache, row: number, m: PrefixMatch): void {
    const cfg = engine.config;
    const kv = cfg.nKvHeads;
    const { entry, length } = m;
    const n = entry.tokens.length;
    for (let l = 0; l < cfg.nLayers; l++) {
      const hd = engine.columnFloats(l) / kv;
      if (hd === 0) continue;
      const cap = cache.capacity;
      for (let h = 0; h < kv; h++) {
        const to = (row * kv + h) * cap * hd;
        const from = h * n * hd;
        cache.values[l].set(entry.values[l].subarray(from, from + length * hd), to);
        for (let e = 0; e < hd; e++) {
          const kFrom = (h * hd + e) * n;
          cache.keys[l].set(entry.keys[l].subarray(kFrom, kFrom + length), to + e * cap);
        }
      }
    }
    for (let j = 0; j < length; j++) cache.positions[row * cache.capacity + j] = j;
  }
}

/**
 * Runs of consecutive buffer columns holding positions 0 … n − 1 of one row (the first
 * column of each position: a finished sequence may repeat its last position later), or
 * null when a position never appears.
 */
function columnRuns(
  cache: KvCache,
  row: number,
  n: number,
): { column: number; position: number; length: number }[] | null {
  const seen = new Uint8Array(n);
  const runs: { column: number; position: number; length: number }[] = [];
  let found = 0;
  for (let j = 0; j < cache.length; j++) {
    const p = cache.positions[row * cache.capacity + j];
    if (p < 0 || p >= n || seen[p]) continue;
    seen[p] = 1;
    found++;
    const last = runs[runs.length - 1];
    if (last && last.column + last.length === j && last.position + last.length === p) last.length++;
    else runs.push({ column: j, position: p, length: 1 });
  }
  return found === n ? runs : null;
}
