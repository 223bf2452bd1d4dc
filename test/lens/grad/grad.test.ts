// Gradients from the ORT backward graphs against central finite differences of
// the plain-TS reference forward, on tiny random checkpoints of every
// architecture, for each loss head and each kind of hook.
//
// Check: for a random direction v scaled to the hook's activation (so ε is a
// relative step of 1e-3 for every hook), <grad, v> vs (L(x+εv) − L(x−εv))/2ε.
// Tolerance: |analytic − fd| ≤ 2e-2·|fd| + 2e-3 (the reference runs in f32;
// measured agreement is mostly 4–5 significant digits).
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../../src/lens/checkpoint.js";
import type { LossInput } from "../../../src/lens/grad/loss.js";
import type { HookName } from "../../../src/lens/hooks.js";
import { fromTensors } from "../../../src/lens/model.js";
import { TINY_ARCHS } from "../../../src/lens/tiny.js";
import { Rng } from "../../../src/util/rng.js";
import { removeFixtures, tinyDir } from "../ort-fixtures.js";
import { directionalFd, referenceLoss } from "./fd.js";

const TOKENS = [5, 60, 7, 200, 31, 14];
const WRT: HookName[] = [
  "hook_embed",
  "blocks.0.hook_resid_pre",
  "blocks.0.hook_attn_out",
  "blocks.0.hook_resid_mid",
  "blocks.0.hook_resid_post",
  "blocks.1.attn.hook_z",
  "blocks.1.hook_mlp_out",
  "blocks.1.hook_resid_post",
];
const EPS = 1e-3;
const close = (an: number, fd: number) => Math.abs(an - fd) <= 2e-2 * Math.abs(fd) + 2e-3;

afterAll(() => removeFixtures());

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length) || 1;
}

describe("model.grad agrees with finite differences of the reference forward", () => {
  // Gemma 4 has no backward rules yet: refused (tested below), not differentiated.
  for (const arch of TINY_ARCHS.filter((a) => a !== "gemma4")) {
    it(`${arch}: ce, logit_diff and probe, at every kind of hook`, async () => {
      const ck = loadCheckpoint(tinyDir(arch));
      const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
      try {
        const rng = new Rng(`grad-${arch}`);
        const d = ck.config.dModel;
        const losses: LossInput[] = [
          { kind: "ce", target: [9, 17, 3] },
          { kind: "logit_diff", a: 3, b: 11 },
          {
            kind: "probe",
            hook: "blocks.1.hook_resid_mid",
            weight: Array.from({ length: d }, () => rng.normal()),
            position: "mean",
          },
        ];
        for (const loss of losses) {
          const res = await model.grad(TOKENS, loss, { wrt: WRT });
          expect(res.loss).toBeCloseTo(referenceLoss(ck, TOKENS, loss, null, null), 4);
          const acts = await model.runWithCache(res.tokens, WRT);
          for (const hook of WRT) {
            const g = res.grads.get(hook)!;
            expect(g.shape[0]).toBe(res.tokens.length);
            const scale = rms(acts.cache.get(hook)!.data);
            const v = Float32Array.from(g.data, () => rng.normal() * scale);
            let an = 0;
            for (let i = 0; i < v.length; i++) an += v[i] * g.data[i];
            const fd = directionalFd(ck, TOKENS, loss, hook, v, EPS);
            expect(close(an, fd), `${arch} ${loss.kind} ${hook}: analytic ${an}, fd ${fd}`).toBe(
              true,
            );
          }
          // The probe reads resid_mid(1): nothing above it carries gradient, and that is not vacuous below.
          if (loss.kind === "probe") {
            expect(res.grads.get("blocks.1.hook_mlp_out")!.data.every((x) => x === 0)).toBe(true);
            expect(res.grads.get("hook_embed")!.data.some((x) => x !== 0)).toBe(true);
          }
        }
      } finally {
        await model.close();
      }
    });
  }

  it("refuses Gemma 4 with a config_error instead of a gradient without its PLE and KV sharing", async () => {
    const ck = loadCheckpoint(tinyDir("gemma4"));
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      await expect(model.grad(TOKENS, { kind: "logit_diff", a: 3, b: 11 })).rejects.toThrow(
        /not available for Gemma 4/,
      );
    } finally {
      await model.close();
    }
  });

  it("differentiates through an `add` intervention (the steered model), and the token gradient is dE·W_Eᵀ", async () => {
    const ck = loadCheckpoint(tinyDir("gemma2"));
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      const d = ck.config.dModel;
      const rng = new Rng("steer");
      const vector = Array.from({ length: d }, () => rng.normal());
      const interventions = [
        { kind: "add" as const, hook: "blocks.0.hook_resid_post", vector, scale: 3 },
      ];
      const loss: LossInput = { kind: "ce", target: [9, 17] };
      const res = await model.grad(TOKENS, loss, {
        wrt: ["embed"],
        interventions,
        tokenGrad: true,
      });
      expect(res.loss).toBeCloseTo(referenceLoss(ck, TOKENS, loss, null, null, interventions), 4);
      expect(res.loss).not.toBeCloseTo(referenceLoss(ck, TOKENS, loss, null, null), 2);
      const g = res.grads.get("hook_embed")!;
      const v = Float32Array.from(g.data, () => rng.normal());
      let an = 0;
      for (let i = 0; i < v.length; i++) an += v[i] * g.data[i];
      expect(close(an, directionalFd(ck, TOKENS, loss, "hook_embed", v, EPS, interventions))).toBe(
        true,
      );
      // token gradient row p, column tok = embedScale · <dE[p], E[tok]>
      const e = ck.tensors.get("embed_tokens.weight").data;
      const tg = res.tokenGrad!;
      const V = ck.config.vocabSize;
      for (const [p, tok] of [
        [0, 5],
        [3, 100],
        [6, V - 1],
      ]) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += g.data[p * d + i] * e[tok * d + i];
        expect(tg.data[p * V + tok]).toBeCloseTo(dot * ck.config.embedScale, 4);
      }
    } finally {
      await model.close();
    }
  });

  it("rejects bad input with a validation_error and runs nothing", async () => {
    const ck = loadCheckpoint(tinyDir("qwen2"));
    const model = await fromTensors(ck.config, ck.tensors, { threads: 1 });
    try {
      const ce = { kind: "ce" as const, target: [1] };
      await expect(model.grad(TOKENS, ce, { wrt: ["blocks.9.hook_resid_pre"] })).rejects.toThrow(
        /unknown hook/,
      );
      await expect(model.grad(TOKENS, { kind: "ce", target: [] })).rejects.toThrow(/invalid loss/);
      await expect(model.grad(TOKENS, { kind: "logit_diff", a: 1, b: 10 ** 6 })).rejects.toThrow(
        /vocabulary/,
      );
      await expect(
        model.grad(TOKENS, { kind: "probe", hook: "blocks.0.attn.hook_z", weight: [1] }),
      ).rejects.toThrow(/probe hook/);
      await expect(
        model.grad(TOKENS, { kind: "probe", hook: "blocks.0.hook_resid_pre", weight: [1, 2] }),
      ).rejects.toThrow(/d_model/);
      await expect(
        model.grad(TOKENS, ce, { interventions: [{ kind: "head_mask", layer: 0, heads: [0] }] }),
      ).rejects.toThrow(/only 'add'/);
      await expect(model.grad([], ce)).rejects.toThrow(/at least one token/);
    } finally {
      await model.close();
    }
  });
});
