import { afterAll, describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/lens/checkpoint.js";
import { memoryTensorStore } from "../../src/lens/checkpoint.js";
import { headDimOf } from "../../src/lens/config.js";
import {
  allHookNames,
  attnOut,
  attnZ,
  hookEmbed,
  hookShape,
  mlpOut,
  pleOut,
  residMid,
  residPost,
  residPre,
} from "../../src/lens/hooks.js";
import { ops, referenceForward } from "../../src/lens/reference/index.js";
import { TINY_ARCHS } from "../../src/lens/tiny.js";
import type { Tensor } from "../../src/lens/types.js";
import { Rng } from "../../src/util/rng.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

const tokens = (n: number, seed = 1) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.int(290));
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const rowOf = (x: Float32Array, width: number, r: number) => x.subarray(r * width, (r + 1) * width);
const vector = (dim: number, seed: string) => {
  const rng = new Rng(seed);
  return Array.from({ length: dim }, () => rng.normal());
};

describe("reference forward: structure", () => {
  it("is causal in every architecture: logits at t ignore tokens after t", () => {
    for (const arch of TINY_ARCHS) {
      const ck = dirs.checkpoint(arch);
      const a = tokens(10, 1);
      const b = [...a.slice(0, 6), ...tokens(4, 99)];
      const V = ck.config.vocabSize;
      const la = referenceForward(ck, a).logits;
      const lb = referenceForward(ck, b).logits;
      expect(la.subarray(0, 6 * V), arch).toEqual(lb.subarray(0, 6 * V));
      expect(maxDiff(la.subarray(6 * V), lb.subarray(6 * V)), arch).toBeGreaterThan(1e-3);
    }
  });

  it("provides every hook point; resid_mid = resid_pre + attn_out and resid_post = resid_mid + mlp_out (+ ple_out, × layer_scalar in Gemma 4)", () => {
    for (const arch of TINY_ARCHS) {
      const ck = dirs.checkpoint(arch);
      const c = ck.config;
      const n = 7;
      const { cache } = referenceForward(ck, tokens(n), { hooks: "all" });
      expect([...cache.keys()].sort()).toEqual(allHookNames(hookShape(c)).sort());
      for (let l = 0; l < c.nLayers; l++) {
        const pre = cache.get(residPre(l))!;
        const mid = cache.get(residMid(l))!;
        const post = cache.get(residPost(l))!;
        expect(maxDiff(mid, ops.add(pre, cache.get(attnOut(l))!)), arch).toBe(0);
        let sum = ops.add(mid, cache.get(mlpOut(l))!);
        if (c.gemma4) {
          const scalar = ck.tensors.get(`layers.${l}.layer_scalar`).data[0];
          sum = ops.add(sum, cache.get(pleOut(l))!).map((x) => x * scalar);
        }
        expect(maxDiff(post, sum), arch).toBe(0);
        expect(cache.get(attnZ(l))!.length).toBe(n * c.nHeads * headDimOf(c, l));
        if (l + 1 < c.nLayers) expect(cache.get(residPre(l + 1))).toEqual(post);
      }
    }
  });

  it("hook_embed is the token embedding (× √d for Gemma; GPT-2 adds wpe after it)", () => {
    const gemma = dirs.checkpoint("gemma2");
    const t = tokens(3);
    const g = referenceForward(gemma, t, { hooks: [hookEmbed(), residPre(0)] }).cache;
    const wte = gemma.tensors.get("embed_tokens.weight").data;
    const d = gemma.config.dModel;
    expect([...rowOf(g.get(hookEmbed())!, d, 1)]).toEqual(
      [...wte.subarray(t[1] * d, (t[1] + 1) * d)].map((v) => Math.fround(v * 8)),
    );
    expect(g.get(residPre(0))).toEqual(g.get(hookEmbed()));
    const gpt2 = dirs.checkpoint("gpt2");
    const c = referenceForward(gpt2, t, { hooks: [hookEmbed(), residPre(0)] }).cache;
    const wpe = gpt2.tensors.get("wpe.weight").data;
    const sum = c.get(hookEmbed())!.map((v, i) => v + wpe[i]);
    expect(maxDiff(c.get(residPre(0))!, sum)).toBe(0);
  });

  it("Gemma 2's final soft-cap bounds every logit by the cap", () => {
    const ck = dirs.checkpoint("gemma2");
    const capped: Checkpoint = { ...ck, config: { ...ck.config, finalSoftcap: 0.5 } };
    const { logits } = referenceForward(capped, tokens(5));
    expect(Math.max(...logits.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...referenceForward(ck, tokens(5)).logits.map(Math.abs))).toBeGreaterThan(0.5);
  });

  it("a sliding layer ignores keys at or beyond the window (Gemma 2, one sliding layer, window 4)", () => {
    const ck = dirs.checkpoint("gemma2", { layers: 1 });
    expect(ck.config.layerTypes).toEqual(["sliding"]);
    expect(ck.config.slidingWindow).toBe(4);
    const a = tokens(9, 3);
    const b = [(a[0] + 1) % 290, ...a.slice(1)];
    const V = ck.config.vocabSize;
    const la = referenceForward(ck, a).logits;
    const lb = referenceForward(ck, b).logits;
    // Position 3 still sees position 0 (3 − 0 < 4); positions 4.. do not.
    expect(maxDiff(rowOf(la, V, 3), rowOf(lb, V, 3))).toBeGreaterThan(1e-4);
    for (let p = 4; p < 9; p++) expect(rowOf(la, V, p)).toEqual(rowOf(lb, V, p));
    // The same model with the window switched off does see position 0 from position 8.
    const full: Checkpoint = { ...ck, config: { ...ck.config, layerTypes: ["full"] } };
    expect(
      maxDiff(
        rowOf(referenceForward(full, a).logits, V, 8),
        rowOf(referenceForward(full, b).logits, V, 8),
      ),
    ).toBeGreaterThan(1e-4);
  });

  it("GQA equals MHA with each KV head repeated for its query heads", () => {
    for (const arch of ["qwen2", "gemma3"] as const) {
      const ck = dirs.checkpoint(arch);
      const c = ck.config;
      expect(c.nKvHeads).toBeLessThan(c.nHeads);
      const group = c.nHeads / c.nKvHeads;
      const map = new Map<string, Tensor>();
      for (const name of ck.tensors.names()) map.set(name, ck.tensors.get(name));
      for (let l = 0; l < c.nLayers; l++) {
        for (const proj of ["k_proj", "v_proj"]) {
          for (const kind of ["weight", "bias"]) {
            const name = `layers.${l}.self_attn.${proj}.${kind}`;
            if (!map.has(name)) continue;
            const t = map.get(name)!;
            const per = (t.data.length / c.nKvHeads) | 0; // values per KV head
            const data = new Float32Array(per * c.nHeads);
            for (let h = 0; h < c.nHeads; h++)
              data.set(
                t.data.subarray(Math.floor(h / group) * per, (Math.floor(h / group) + 1) * per),
                h * per,
              );
            map.set(name, {
              shape: kind === "weight" ? [c.nHeads * c.headDim, c.dModel] : [c.nHeads * c.headDim],
              data,
            });
          }
        }
      }
      const mha = { config: { ...c, nKvHeads: c.nHeads }, tensors: memoryTensorStore(map) };
      const t = tokens(6);
      expect(
        maxDiff(referenceForward(ck, t).logits, referenceForward(mha, t).logits),
        arch,
      ).toBeLessThan(1e-5);
    }
  });
});

describe("reference forward: interventions", () => {
  it("add at resid_post(l) changes resid_pre(l+1) by exactly scale × vector at the chosen positions", () => {
    for (const arch of TINY_ARCHS) {
      const ck = dirs.checkpoint(arch);
      const d = ck.config.dModel;
      const t = tokens(6);
      const v = vector(d, arch);
      const clean = referenceForward(ck, t, { hooks: [residPre(1)] }).cache.get(residPre(1))!;
      const hit = referenceForward(ck, t, {
        hooks: [residPre(1)],
        interventions: [
          { kind: "add", hook: residPost(0), vector: v, scale: 2, positions: [1, 4] },
        ],
      }).cache.get(residPre(1))!;
      for (let p = 0; p < 6; p++) {
        const delta = [...rowOf(hit, d, p)].map((x, i) => x - clean[p * d + i]);
        const want = p === 1 || p === 4 ? v.map((x) => 2 * x) : v.map(() => 0);
        expect(maxDiff(delta, want), `${arch} pos ${p}`).toBeLessThan(1e-5);
      }
    }
  });

  it("add at a position leaves earlier positions' logits untouched and changes later ones", () => {
    const ck = dirs.checkpoint("llama");
    const V = ck.config.vocabSize;
    const t = tokens(6);
    const clean = referenceForward(ck, t).logits;
    const hit = referenceForward(ck, t, {
      interventions: [
        { kind: "add", hook: residPre(0), vector: vector(ck.config.dModel, "p"), positions: [3] },
      ],
    }).logits;
    expect(hit.subarray(0, 3 * V)).toEqual(clean.subarray(0, 3 * V));
    expect(maxDiff(rowOf(hit, V, 5), rowOf(clean, V, 5))).toBeGreaterThan(1e-3);
  });

  it("project_out at resid_post(l) leaves resid_pre(l+1) with zero component along the direction", () => {
    for (const arch of ["gpt2", "qwen3", "gemma2"] as const) {
      const ck = dirs.checkpoint(arch);
      const d = ck.config.dModel;
      const dir = vector(d, `dir-${arch}`);
      const norm = Math.hypot(...dir);
      const out = referenceForward(ck, tokens(5), {
        hooks: [residPre(1)],
        interventions: [{ kind: "project_out", hook: residPost(0), direction: dir }],
      }).cache.get(residPre(1))!;
      const clean = referenceForward(ck, tokens(5), { hooks: [residPre(1)] }).cache.get(
        residPre(1),
      )!;
      for (let p = 0; p < 5; p++) {
        const dot = (x: Float32Array) =>
          rowOf(x, d, p).reduce((s, v, i) => s + (v * dir[i]) / norm, 0);
        expect(Math.abs(dot(out)), arch).toBeLessThan(1e-5);
        expect(Math.abs(dot(clean)), arch).toBeGreaterThan(1e-3);
      }
    }
  });

  it("replace at the last resid_post makes every position's logits the same", () => {
    const ck = dirs.checkpoint("qwen2");
    const V = ck.config.vocabSize;
    const { logits } = referenceForward(ck, tokens(4), {
      interventions: [
        { kind: "mean_ablate", hook: residPost(1), values: vector(ck.config.dModel, "m") },
      ],
    });
    for (let p = 1; p < 4; p++) expect(rowOf(logits, V, p)).toEqual(rowOf(logits, V, 0));
  });

  it("head_mask zeroes the heads' z and equals W_O applied to the masked clean z", () => {
    for (const arch of ["llama", "gpt2", "gemma3"] as const) {
      const ck = dirs.checkpoint(arch);
      const c = ck.config;
      const n = 5;
      const t = tokens(n);
      const l = 1;
      const clean = referenceForward(ck, t, { hooks: [attnZ(l)] }).cache.get(attnZ(l))!;
      const masked = referenceForward(ck, t, {
        hooks: [attnZ(l), attnOut(l)],
        headMask: [{ layer: l, heads: [0, 2] }],
      }).cache;
      // Independently: zero heads 0 and 2 of the clean z, then apply the output projection.
      const z = clean.slice();
      for (let p = 0; p < n; p++)
        for (const h of [0, 2])
          z.fill(0, (p * c.nHeads + h) * c.headDim, (p * c.nHeads + h + 1) * c.headDim);
      expect(masked.get(attnZ(l))).toEqual(z);
      let want: Float32Array;
      if (arch === "gpt2") {
        want = ops.conv1d(
          z,
          n,
          c.dModel,
          ck.tensors.get(`h.${l}.attn.c_proj.weight`).data,
          c.dModel,
          ck.tensors.get(`h.${l}.attn.c_proj.bias`).data,
        );
      } else {
        want = ops.linear(
          z,
          n,
          c.nHeads * c.headDim,
          ck.tensors.get(`layers.${l}.self_attn.o_proj.weight`).data,
          c.dModel,
        );
        if (arch === "gemma3")
          want = ops.rmsNorm(
            want,
            c.dModel,
            ck.tensors.get(`layers.${l}.post_attention_layernorm.weight`).data,
            c.normEps,
            true,
          );
      }
      expect(maxDiff(masked.get(attnOut(l))!, want), arch).toBeLessThan(1e-6);
    }
  });

  it("a TypeScript hook function that adds a vector equals the add intervention", () => {
    const ck = dirs.checkpoint("smollm2");
    const v = vector(ck.config.dModel, "fn");
    const t = tokens(5);
    const viaFn = referenceForward(ck, t, {
      hookFn: (name, x) => {
        if (name !== residMid(0)) return;
        for (let i = 0; i < x.length; i++) x[i] += v[i % v.length];
      },
    }).logits;
    const viaIv = referenceForward(ck, t, {
      interventions: [{ kind: "add", hook: residMid(0), vector: v }],
    }).logits;
    expect(viaFn).toEqual(viaIv);
  });

  it("returns capture interventions reduced, in list order", () => {
    const ck = dirs.checkpoint("gemma2");
    const t = tokens(4);
    const r = referenceForward(ck, t, {
      hooks: [residPost(1)],
      interventions: [
        { kind: "capture", hook: residPost(1), reduce: "mean" },
        { kind: "capture", hook: residPre(0), reduce: "last" },
      ],
    });
    expect(r.captures.map((c) => [c.index, c.hook])).toEqual([
      [0, residPost(1)],
      [1, residPre(0)],
    ]);
    const full = r.cache.get(residPost(1))!;
    const d = ck.config.dModel;
    const mean = Array.from(
      { length: d },
      (_, i) => (full[i] + full[d + i] + full[2 * d + i] + full[3 * d + i]) / 4,
    );
    expect(maxDiff(r.captures[0].value, mean)).toBeLessThan(1e-6);
  });

  it("rejects bad interventions and tokens before running", () => {
    const ck = dirs.checkpoint("gpt2");
    expect(() =>
      referenceForward(ck, [1, 2], {
        interventions: [{ kind: "add", hook: residPost(5), vector: [1] }],
      }),
    ).toThrow(/not a hook point/);
    expect(() => referenceForward(ck, [1, 400])).toThrow(/outside the vocabulary/);
    expect(() => referenceForward(ck, [])).toThrow(/at least one token/);
  });
});

describe("reference forward: bf16 weights", () => {
  it("a bf16 checkpoint runs the same maths as f32 on the rounded weights, close to the f32 model", () => {
    for (const arch of ["qwen3", "gemma2"] as const) {
      const f32 = dirs.checkpoint(arch, { seed: 3 });
      const bf16 = dirs.checkpoint(arch, { seed: 3, dtype: "bf16" });
      expect(bf16.config.storageDtype).toBe("bf16");
      // The same weights rounded to bf16, held in memory as f32.
      const rounded = new Map<string, Tensor>();
      for (const name of f32.tensors.names()) {
        const t = f32.tensors.get(name);
        rounded.set(name, { shape: t.shape, data: t.data.map((v) => bf16Round(v)) });
      }
      const t = tokens(6);
      const viaFile = referenceForward(bf16, t).logits;
      const inMemory = referenceForward(
        { config: bf16.config, tensors: memoryTensorStore(rounded) },
        t,
      ).logits;
      expect(maxDiff(viaFile, inMemory), arch).toBe(0);
      const exact = referenceForward(f32, t).logits;
      const scale = Math.max(...exact.map(Math.abs));
      expect(maxDiff(viaFile, exact) / scale, arch).toBeLessThan(0.05);
      expect(maxDiff(viaFile, exact), arch).toBeGreaterThan(0);
    }
  });
});

/** Rounds an f32 value to bf16 (nearest, ties to even), written out independently of safetensors.ts. */
function bf16Round(v: number): number {
  const u = new Uint32Array(new Float32Array([v]).buffer)[0];
  const lsb = (u >>> 16) & 1;
  const r = (u + 0x7fff + lsb) & 0xffff0000;
  return new Float32Array(new Uint32Array([r >>> 0]).buffer)[0];
}
