// A block runs as one ORT session unless a step reads or edits a hook inside it
// (attn_out, resid_mid, mlp_out, attn.hook_z); then its two halves run, built on first
// use. Both paths give the same bits, for every architecture; an edit inside a block
// still takes effect; the halves' weights count as resident only once built, and a
// memory budget they would break is refused with a clear error, the engine still usable.
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { residMid, residPost } from "../../src/lens/hooks.js";
import { Engine, type HookVisitor } from "../../src/lens/runtime/engine.js";
import { compilePlan } from "../../src/lens/runtime/plan.js";
import { makeVisitor } from "../../src/lens/runtime/visitor.js";
import type { TinyArch } from "../../src/lens/tiny.js";
import { Rng } from "../../src/util/rng.js";
import { removeFixtures, tinyDir } from "./ort-fixtures.js";

afterAll(removeFixtures);
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
});

async function open(arch: TinyArch, memoryBudget?: number) {
  const ck = loadCheckpoint(tinyDir(arch, arch === "gemma4" ? { layers: 6 } : {}));
  const engine = await Engine.create(ck.config, ck.tensors, { threads: 1, memoryBudget });
  engines.push(engine);
  return engine;
}

const B = 3;
const P = 24;

/** A left-padded prefill of B rows, then four decode steps; every step's logits. */
async function play(engine: Engine, visitFor?: (positions: Int32Array) => HookVisitor) {
  const v = engine.config.vocabSize;
  const rng = new Rng("fused");
  const cache = engine.emptyCache(B);
  const ids = Int32Array.from({ length: B * P }, () => rng.int(v));
  // row 1 has three padding columns
  const positions = Int32Array.from({ length: B * P }, (_, i) =>
    Math.floor(i / P) === 1 ? (i % P) - 3 : i % P,
  ).map((p) => (p < 0 ? -1 : p));
  const out: Float32Array[] = [];
  const first = await engine.step({
    batch: B,
    ids,
    positions,
    cache,
    logits: "all",
    visit: visitFor?.(positions),
  });
  out.push(first.logits);
  for (let s = 0; s < 4; s++) {
    const pos = Int32Array.from({ length: B }, (_, i) => (i === 1 ? P - 3 : P) + s);
    const r = await engine.step({
      batch: B,
      ids: Int32Array.from({ length: B }, () => rng.int(v)),
      positions: pos,
      cache,
      logits: "last",
      visit: visitFor?.(pos),
    });
    out.push(r.logits);
  }
  return out;
}

const same = (a: Float32Array[], b: Float32Array[]) =>
  a.length === b.length && a.every((x, i) => x.every((y, j) => Object.is(y, b[i][j])));

/** A visitor that sees every hook and changes nothing (the engine cannot tell which it reads). */
const everyHook: HookVisitor = () => undefined;

describe("whole blocks and block halves", () => {
  for (const arch of ["gpt2", "llama", "qwen2", "gemma2", "gemma3", "gemma4"] as const) {
    it(`${arch}: a step through whole blocks equals one through their halves, bit for bit`, async () => {
      const engine = await open(arch);
      const before = engine.residentWeightBytes;
      const whole = await play(engine);
      expect(engine.residentWeightBytes).toBe(before);
      const halves = await play(engine, () => everyHook);
      // every block's halves now exist beside it
      expect(engine.residentWeightBytes).toBeGreaterThan(before);
      expect(same(whole, halves)).toBe(true);
    });
  }

  it("an edit at resid_mid runs that block's halves and changes the output", async () => {
    const engine = await open("qwen2");
    const d = engine.config.dModel;
    const rng = new Rng("edit");
    const edit = compilePlan(
      [
        {
          kind: "add",
          hook: residMid(1),
          vector: Array.from({ length: d }, () => rng.normal()),
          positions: "all",
        },
      ],
      engine.config,
    );
    const before = engine.residentWeightBytes;
    const visitor = (positions: Int32Array) =>
      makeVisitor({ plans: Array.from({ length: B }, () => edit), positions });
    expect(visitor(new Int32Array(B)).hooks).toEqual(new Set([residMid(1)]));
    const edited = await play(engine, visitor);
    const grown = engine.residentWeightBytes;
    expect(grown).toBeGreaterThan(before);
    // the same edit seen through a visitor that declares no hooks (every block split)
    const declared = await play(engine, (positions) => {
      const v = visitor(positions);
      return (name, x, dims) => v(name, x, dims);
    });
    expect(same(edited, declared)).toBe(true);
    expect(same(edited, await play(engine))).toBe(false);
    // only block 1 was split by the declared visitor: blocks 0 and 1 are split now
    expect(engine.residentWeightBytes).toBeGreaterThan(grown);
  });

  it("edits at block boundaries keep every block whole", async () => {
    const engine = await open("llama");
    const d = engine.config.dModel;
    const plan = compilePlan(
      [
        { kind: "add", hook: residPost(0), vector: new Array(d).fill(0.5), positions: "all" },
        { kind: "capture", hook: residPost(1), reduce: "last" },
      ],
      engine.config,
    );
    const before = engine.residentWeightBytes;
    await play(engine, (positions) =>
      makeVisitor({ plans: Array.from({ length: B }, () => plan), positions }),
    );
    expect(engine.residentWeightBytes).toBe(before);
  });

  it("halves that would break the memory budget are refused, and whole blocks still run", async () => {
    const probe = await open("gpt2");
    const budget = probe.residentWeightBytes + 1024;
    const engine = await open("gpt2", budget);
    const whole = await play(engine);
    await expect(play(engine, () => everyHook)).rejects.toThrow(
      /memory budget.*a hook inside a block needs its halves/,
    );
    expect(engine.residentWeightBytes).toBeLessThanOrEqual(budget);
    expect(same(await play(engine), whole)).toBe(true);
  });
});
