// The runtime's small pure parts: the attention mask (causal, padding, sliding
// window), RoPE frequencies (checked against the reference's independent
// implementation), and next-token sampling.
import { describe, expect, it } from "vitest";
import { ropeInvFreq } from "../../src/lens/reference/ops.js";
import { attentionMask, MASKED } from "../../src/lens/runtime/mask.js";
import { inverseFrequencies, ropeTables } from "../../src/lens/runtime/rope.js";
import { argmax, sampleToken } from "../../src/lens/runtime/sample.js";
import { Rng } from "../../src/util/rng.js";

describe("attentionMask", () => {
  it("is causal, hides left padding, and lets a padding query see only itself", () => {
    // batch 2, no cache: sequence 0 has one padding column
    const q = Int32Array.from([-1, 0, 1, 0, 1, 2]);
    const m = attentionMask(2, q, q, null);
    const at = (b: number, i: number, j: number) => m[(b * 3 + i) * 3 + j] === 0;
    expect([at(0, 0, 0), at(0, 0, 1), at(0, 0, 2)]).toEqual([true, false, false]);
    expect([at(0, 1, 0), at(0, 1, 1), at(0, 1, 2)]).toEqual([false, true, false]);
    expect([at(0, 2, 0), at(0, 2, 1), at(0, 2, 2)]).toEqual([false, true, true]);
    expect([at(1, 2, 0), at(1, 2, 1), at(1, 2, 2)]).toEqual([true, true, true]);
    expect(m.filter((x) => x !== 0 && x !== Math.fround(MASKED))).toHaveLength(0);
  });

  it("writes every entry of a reused buffer, and refuses one of the wrong size", () => {
    const q = Int32Array.from([-1, 0, 1, 0, 1, 2]);
    const out = new Float32Array(18).fill(Number.NaN);
    expect(attentionMask(2, q, q, null, undefined, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(attentionMask(2, q, q, null)));
    expect(() => attentionMask(2, q, q, null, undefined, new Float32Array(17))).toThrow(
      /17 floats, not 18/,
    );
  });

  it("keeps keys with kpos > qpos - window on sliding layers (decode step against a cache)", () => {
    const keys = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const m = attentionMask(1, Int32Array.of(5), keys, 3);
    expect(Array.from(m, (x) => x === 0)).toEqual([false, false, false, true, true, true]);
  });
});

describe("RoPE", () => {
  for (const rope of [
    { theta: 10000, type: "default" as const },
    { theta: 1e6, type: "linear" as const, factor: 8 },
    {
      theta: 5e5,
      type: "llama3" as const,
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositions: 64,
    },
  ]) {
    it(`${rope.type} frequencies equal the reference's`, () => {
      const a = inverseFrequencies(rope, 32);
      const b = ropeInvFreq(rope, 32);
      for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j], 12);
    });
  }

  it("tables are cat(freqs, freqs) and padding uses position 0", () => {
    const inv = inverseFrequencies({ theta: 10000, type: "default" }, 4);
    const { cos, sin } = ropeTables(inv, Int32Array.of(-1, 3));
    expect(Array.from(cos.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(cos[4]).toBeCloseTo(Math.cos(3), 6);
    expect(sin[4 + 2]).toBeCloseTo(Math.sin(3), 6);
    expect(sin[4 + 3]).toBeCloseTo(Math.sin(3 * inv[1]), 6);
  });
});

describe("sampling", () => {
  it("greedy takes the lowest id among ties", () => {
    expect(argmax([1, 5, 5, 2])).toBe(1);
    expect(sampleToken(Float32Array.of(0, 3, 3), { temperature: 0 }, new Rng(1))).toBe(1);
  });

  it("top-p keeps only the nucleus", () => {
    const logits = Float32Array.of(Math.log(0.6), Math.log(0.3), Math.log(0.1));
    const rng = new Rng("p");
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(sampleToken(logits, { temperature: 1, topP: 0.8 }, rng));
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it("draws in proportion to softmax(logits / T)", () => {
    const logits = Float32Array.of(Math.log(0.5), Math.log(0.25), Math.log(0.25));
    const rng = new Rng("freq");
    const counts = [0, 0, 0];
    const n = 4000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 1 }, rng)]++;
    expect(counts[0] / n).toBeCloseTo(0.5, 1);
    expect(counts[1] / n).toBeCloseTo(0.25, 1);
  });

  it("draws the token a sort of the ids by probability would (ties by id)", () => {
    // The pre-speed-work sampler, kept as the reference: sort every id.
    const reference = (row: Float32Array, t: number, topP: number, rng: Rng): number => {
      let max = Number.NEGATIVE_INFINITY;
      for (const v of row) if (v > max) max = v;
      const probs = Array.from(row, (v) => Math.exp((v - max) / t));
      const total = probs.reduce((a, b) => a + b, 0);
      const order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
      const kept: number[] = [];
      let mass = 0;
      for (const id of order) {
        kept.push(id);
        mass += probs[id] / total;
        if (mass >= topP) break;
      }
      let r = rng.next() * kept.reduce((s, id) => s + probs[id], 0);
      for (const id of kept) {
        r -= probs[id];
        if (r < 0) return id;
      }
      return kept[kept.length - 1];
    };
    const gen = new Rng("logits");
    for (const [t, topP, scale] of [
      [0.7, 0.9, 3],
      [1, 1, 1],
      [1.5, 0.99, 0.2],
      [0.7, 0.9, 8],
      [1, 0.999, 2],
    ]) {
      const a = new Rng(`draw/${t}/${topP}`);
      const b = new Rng(`draw/${t}/${topP}`);
      for (let k = 0; k < 200; k++) {
        // every other row has many exact ties (rounded logits)
        const row = Float32Array.from({ length: 500 }, () =>
          k % 2 ? Math.round(gen.normal() * scale) : gen.normal() * scale,
        );
        expect(sampleToken(row, { temperature: t, topP }, a)).toBe(reference(row, t, topP, b));
      }
    }
  });
});
