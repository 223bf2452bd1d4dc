/**
 * Seeded pseudo-random numbers (STYLE.md §8). Every random choice in arena,
 * target/sim and directions draws from an `Rng` built from the episode seed;
 * `Math.random` is never used there. `child(name)` derives an independent stream
 * from this one's seed and a name, so an extra draw in one stream (say, traffic)
 * does not shift another (say, secrets).
 *
 * Generator: sfc32 (small, fast, passes PractRand), seeded through a 128-bit
 * string hash (cyrb128). Not cryptographic: it is for reproducibility only.
 */

/**
 * cyrb128's running state, for hashing text given in pieces: feeding "ab" then
 * "c" gives the state of feeding "abc", so a caller can keep the state after a
 * long shared prefix (a system prompt, a session history) and hash only what
 * follows. `hash128` is `finishHash(feedHash(startHash(), text))`.
 */
export type HashState = readonly [number, number, number, number];

export function startHash(): HashState {
  return [1779033703, 3144134277, 1013904242, 2773480762];
}

export function feedHash(state: HashState, text: string): HashState {
  let [h1, h2, h3, h4] = state;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  return [h1, h2, h3, h4];
}

export function finishHash(state: HashState): [number, number, number, number] {
  let [h1, h2, h3, h4] = state;
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** cyrb128: a fast 128-bit non-cryptographic string hash, as four uint32. */
export function hash128(text: string): [number, number, number, number] {
  return finishHash(feedHash(startHash(), text));
}

/** A 32-bit unsigned hash of a string, handy as a derived integer seed. */
export function hash32(text: string): number {
  return hash128(text)[0];
}

export class Rng {
  readonly seedKey: string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  /** `seed` may be a number or any string key (e.g. `"42/traffic"`). */
  constructor(seed: number | string) {
    this.seedKey = String(seed);
    [this.a, this.b, this.c, this.d] = hash128(this.seedKey);
    // Discard the first outputs: sfc32 mixes poorly for a few rounds after seeding.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream named `name`, derived from this stream's seed (not its state). */
  child(name: string): Rng {
    return new Rng(`${this.seedKey}/${name}`);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.pick from an empty list");
    return items[this.int(items.length)];
  }

  /** Index drawn with probability proportional to `weights`. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, k);
  }

  /** Standard normal (Box–Muller, caching the spare value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
