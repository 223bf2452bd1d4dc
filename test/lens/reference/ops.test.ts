import { afterAll, describe, expect, it } from "vitest";
import { residPost } from "../../../src/lens/hooks.js";
import { ops, referenceForward } from "../../../src/lens/reference/index.js";
import { TinyDirs } from "../../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe("reference ops: hand-computed cases", () => {
  it("RMSNorm, (1+w) RMSNorm and LayerNorm match hand values", () => {
    const x = Float32Array.from([3, 4]); // mean square 12.5
    const r = 1 / Math.sqrt(12.5 + 1e-6);
    expect(
      maxDiff(ops.rmsNorm(x, 2, Float32Array.from([2, 1]), 1e-6, false), [6 * r, 4 * r]),
    ).toBeLessThan(1e-6);
    expect(
      maxDiff(ops.rmsNorm(x, 2, Float32Array.from([1, 0]), 1e-6, true), [6 * r, 4 * r]),
    ).toBeLessThan(1e-6);
    // mean 3.5, biased variance 0.25
    const ln = ops.layerNorm(x, 2, Float32Array.from([1, 2]), Float32Array.from([0, 10]), 0);
    expect([...ln]).toEqual([-1, 12]);
  });

  it("activations match reference values", () => {
    expect(ops.erf(0.5)).toBeCloseTo(0.5204998778130465, 12);
    expect(ops.erf(2)).toBeCloseTo(0.9953222650189527, 12);
    expect(ops.erf(-3.5)).toBeCloseTo(-0.9999992569016276, 6);
    expect(ops.geluErf(1)).toBeCloseTo(0.8413447460685429, 10);
    expect(ops.geluTanh(1)).toBeCloseTo(0.8411919906082768, 10);
    expect(ops.silu(1)).toBeCloseTo(0.7310585786300049, 12);
  });

  it("RoPE: default frequencies, linear scaling and Llama 3's three bands", () => {
    const def = ops.ropeInvFreq({ theta: 10000, type: "default" }, 4);
    expect([...def]).toEqual([1, 0.01]);
    expect([...ops.ropeInvFreq({ theta: 10000, type: "linear", factor: 4 }, 4)]).toEqual([
      0.25, 0.0025,
    ]);
    // Llama 3 with orig 64, low 1, high 4: wavelengths < 16 kept, > 64 divided by factor, between smoothed.
    const inv = ops.ropeInvFreq(
      {
        theta: 500000,
        type: "llama3",
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositions: 64,
      },
      16,
    );
    const base = ops.ropeInvFreq({ theta: 500000, type: "default" }, 16);
    for (let j = 0; j < 8; j++) {
      const wl = (2 * Math.PI) / base[j];
      if (wl < 16) expect(inv[j]).toBe(base[j]);
      else if (wl > 64) expect(inv[j]).toBeCloseTo(base[j] / 8, 15);
      else {
        const s = (64 / wl - 1) / 3;
        expect(inv[j]).toBeCloseTo((1 - s) * (base[j] / 8) + s * base[j], 15);
      }
    }
    expect(base.some((b) => (2 * Math.PI) / b > 16 && (2 * Math.PI) / b < 64)).toBe(true);
    // Rotate-half: position 1 with inv 1 rotates the pair (x_j, x_{j+2}) by 1 radian; position 0 is the identity.
    const q = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]); // [pos 2, heads 1, hd 4]
    ops.applyRope(q, 2, 1, 4, [0, 1], def);
    expect([...q.subarray(0, 4)]).toEqual([1, 0, 0, 1]);
    expect(
      maxDiff(q.subarray(4), [Math.cos(1), -Math.sin(0.01), Math.sin(1), Math.cos(0.01)]),
    ).toBeLessThan(1e-7);
  });

  it("attention by hand: two positions, one head, softmax of scaled scores", () => {
    const q = Float32Array.from([0, 0, 1, 1]); // [pos 2, 1 head, hd 2]
    const k = Float32Array.from([1, 0, 0, 2]);
    const v = Float32Array.from([10, 0, 0, 20]);
    const z = ops.attend(q, k, v, 2, 1, 1, 2, { scale: 0.5, softcap: null, window: null });
    // pos 0 sees only itself; pos 1 scores [0.5, 1.0].
    const p0 = Math.exp(0.5) / (Math.exp(0.5) + Math.exp(1));
    expect(maxDiff(z, [10, 0, 10 * p0, 20 * (1 - p0)])).toBeLessThan(1e-5);
    // A soft-cap of 0.1 squashes both scores to ≈0.1·tanh: nearly uniform.
    const capped = ops.attend(q, k, v, 2, 1, 1, 2, { scale: 0.5, softcap: 0.1, window: null });
    const c0 =
      Math.exp(0.1 * Math.tanh(5)) / (Math.exp(0.1 * Math.tanh(5)) + Math.exp(0.1 * Math.tanh(10)));
    expect(maxDiff(capped.subarray(2), [10 * c0, 20 * (1 - c0)])).toBeLessThan(1e-5);
    // A window of 1 keeps only the diagonal.
    expect([...ops.attend(q, k, v, 2, 1, 1, 2, { scale: 0.5, softcap: null, window: 1 })]).toEqual([
      10, 0, 0, 20,
    ]);
  });

  it("a one-layer GPT-2 block computed by hand from the checkpoint's weights matches", () => {
    const ck = dirs.checkpoint("gpt2", { layers: 1 });
    const c = ck.config;
    const W = (n: string) => ck.tensors.get(n).data;
    const d = c.dModel;
    const tok = [5, 77];
    const n = 2;
    // Embedding + positions.
    const h = new Float32Array(n * d);
    tok.forEach((t, p) => {
      for (let i = 0; i < d; i++)
        h[p * d + i] = W("wte.weight")[t * d + i] + W("wpe.weight")[p * d + i];
    });
    const ln = (x: Float32Array, w: string, b: string) => ops.layerNorm(x, d, W(w), W(b), 1e-5);
    // Attention written with explicit loops over heads, independent of ops.attend.
    const qkv = ops.conv1d(
      ln(h, "h.0.ln_1.weight", "h.0.ln_1.bias"),
      n,
      d,
      W("h.0.attn.c_attn.weight"),
      3 * d,
      W("h.0.attn.c_attn.bias"),
    );
    const z = new Float32Array(n * d);
    const hd = c.headDim;
    for (let head = 0; head < c.nHeads; head++) {
      for (let i = 0; i < n; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let t = 0; t < hd; t++)
            s += qkv[i * 3 * d + head * hd + t] * qkv[j * 3 * d + d + head * hd + t];
          scores.push(s / Math.sqrt(hd));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let t = 0; t < hd; t++) {
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += (e[j] / sum) * qkv[j * 3 * d + 2 * d + head * hd + t];
          z[i * d + head * hd + t] = acc;
        }
      }
    }
    const h1 = ops.add(
      h,
      ops.conv1d(z, n, d, W("h.0.attn.c_proj.weight"), d, W("h.0.attn.c_proj.bias")),
    );
    const fc = ops.map(
      ops.conv1d(
        ln(h1, "h.0.ln_2.weight", "h.0.ln_2.bias"),
        n,
        d,
        W("h.0.mlp.c_fc.weight"),
        c.dMlp,
        W("h.0.mlp.c_fc.bias"),
      ),
      ops.geluTanh,
    );
    const h2 = ops.add(
      h1,
      ops.conv1d(fc, n, c.dMlp, W("h.0.mlp.c_proj.weight"), d, W("h.0.mlp.c_proj.bias")),
    );
    const logits = ops.linear(
      ln(h2, "ln_f.weight", "ln_f.bias"),
      n,
      d,
      W("wte.weight"),
      c.vocabSize,
    );
    const r = referenceForward(ck, tok, { hooks: [residPost(0)] });
    expect(maxDiff(r.cache.get(residPost(0))!, h2)).toBeLessThan(1e-5);
    expect(maxDiff(r.logits, logits)).toBeLessThan(1e-5);
  });
});
