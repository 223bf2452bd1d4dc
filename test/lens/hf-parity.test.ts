// Optional check against HF transformers itself (CI has no torch): every make-tiny
// architecture, as written, loads in HF transformers (AutoModelForCausalLM, f32,
// eager attention, no patching) and its logits and hidden states agree with the
// lens reference forward and the ORT runtime; so does a tiny Gemma 4 dressed as
// the real E2B release (multimodal `gemma4` wrapper, `per_layer_config`,
// `model.language_model.*` names). HF runs in scripts/hf-check.py, with the
// python named by SEIGE_HF_PYTHON (torch + transformers 5.x; checked with 5.18):
//   SEIGE_HF_PYTHON=/path/to/venv/bin/python npx vitest run test/lens/hf-parity.test.ts
// Without it the whole file is skipped, and says so.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { residPost } from "../../src/lens/hooks.js";
import { loadModel } from "../../src/lens/model.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { TINY_ARCHS } from "../../src/lens/tiny.js";
import { writeRealStructure } from "../helpers/gemma4-e2b.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const PYTHON = process.env.SEIGE_HF_PYTHON;
const SKIP_REASON =
  "skipped: SEIGE_HF_PYTHON is not set (point it at a python with torch and transformers 5.x to run HF itself)";
const SCRIPT = join(import.meta.dirname, "../../scripts/hf-check.py");
const TOKENS = [3, 17, 42, 99, 150, 7, 250, 11, 64, 2, 5];
/** Worst relative error allowed: max|Δ| / max|HF| per tensor (f32 everywhere; measured ~1e-6). */
const TOL = 1e-4;

interface HfModel {
  ok: boolean;
  class?: string;
  stage?: string;
  error?: string;
  logits?: number[];
  hidden_states?: number[][];
}

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

/** max|a − b| / max|b|: the worst element's error relative to the tensor's scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

describe.skipIf(!PYTHON)(`HF transformers parity (${PYTHON ? PYTHON : SKIP_REASON})`, () => {
  // Every make-tiny architecture as written, plus Gemma 4 in the real release's structure.
  // Checkpoints are written on first use (collection runs even when the suite is skipped).
  const REAL = "gemma4 (multimodal wrapper, per_layer_config)";
  const cases = [...TINY_ARCHS, REAL].map((label) => ({ label }));
  const dirOf = new Map<string, string>();
  const dirFor = (label: string): string => {
    if (dirOf.size === 0) {
      for (const arch of TINY_ARCHS) dirOf.set(arch, dirs.checkpoint(arch).dir);
      const g4 = dirs.checkpoint("gemma4");
      const real = dirs.dir("gemma4-real");
      writeRealStructure(g4.dir, g4.config, real, { towers: false });
      dirOf.set(REAL, real);
    }
    return dirOf.get(label)!;
  };

  let hf: { transformers: string; torch: string; models: Record<string, HfModel> } | undefined;
  const run = () => {
    if (hf) return hf;
    const out = join(dirs.dir("hf"), "hf.json");
    const all = cases.map((c) => dirFor(c.label));
    execFileSync(PYTHON!, [SCRIPT, "--tokens", TOKENS.join(","), "--out", out, ...all], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 600_000,
    });
    hf = JSON.parse(readFileSync(out, "utf8"));
    console.log(`HF transformers ${hf!.transformers}, torch ${hf!.torch}`);
    return hf!;
  };

  it.each(cases)(
    "$label loads in HF and agrees with the reference and ORT",
    async ({ label }) => {
      const dir = dirFor(label);
      const m = run().models[dir];
      expect(m.ok, `${label}: HF ${m.stage} failed: ${m.error}`).toBe(true);
      const ck = loadCheckpoint(dir);
      const n = ck.config.nLayers;
      const hooks = Array.from({ length: n }, (_, l) => residPost(l));
      const ref = referenceForward(ck, TOKENS, { hooks });
      const model = await loadModel(dir, { threads: 1 });
      let ort: Float32Array;
      try {
        ort = (await model.runWithCache(TOKENS, [])).logits.data;
      } finally {
        await model.close();
      }
      const errs = { refLogits: relErr(ref.logits, m.logits!), ortLogits: relErr(ort, m.logits!) };
      // HF's hidden_states[l+1] is resid_post(l), except the last, which is after the final norm.
      let hidden = 0;
      for (let l = 0; l < n - 1; l++)
        hidden = Math.max(hidden, relErr(ref.cache.get(residPost(l))!, m.hidden_states![l + 1]));
      console.log(
        `${label} (${m.class}): worst relative error vs HF: reference logits ${errs.refLogits.toExponential(1)}, ORT logits ${errs.ortLogits.toExponential(1)}, resid_post ${hidden.toExponential(1)}`,
      );
      expect(errs.refLogits).toBeLessThan(TOL);
      expect(errs.ortLogits).toBeLessThan(TOL);
      expect(hidden).toBeLessThan(TOL);
    },
    600_000,
  ); // the first case waits for python to import torch and run every checkpoint
});

describe.skipIf(PYTHON)("HF transformers parity", () => {
  it.skip(SKIP_REASON, () => {});
});
