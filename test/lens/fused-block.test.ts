// A block runs as one ORT session until a step reads or edits a hook inside it
// (attn_out, resid_mid, mlp_out, attn.hook_z); then it is rebuilt as its two halves,
// which replace it. Both forms give the same bits, for every architecture; an edit
// inside a block takes effect; only the touched blocks are split; the weights held stay
// one copy, so a memory budget that fits the model fits its halves.
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
      const held = engine.residentWeightBytes;
      const whole = await play(engine);
      expect(engine.splitBlocks).toEqual([]);
      const halves = await play(engine, () => everyHook);
      expect(engine.splitBlocks).toEqual([...Array(engine.config.nLayers).keys()]);
      expect(same(whole, halves)).toBe(true);
      // the halves replaced the blocks: still one copy of the weights (constants aside)
      expect(Math.abs(engine.residentWeightBytes - held)).toBeLessThan(held * 0.01);
      // and a step without inner hooks now runs the halves, with the same bits again
      expect(same(await play(engine), whole)).toBe(true);
    });
  }

  it("an edit at resid_mid splits that block only, and changes the output", async () => {
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
    const plain = await play(engine);
    const visitor = (positions: Int32Array) =>
      makeVisitor({ plans: Array.from({ length: B }, () => edit), positions });
    expect(visitor(new Int32Array(B)).hooks).toEqual(new Set([residMid(1)]));
    const edited = await play(engine, visitor);
    expect(engine.splitBlocks).toEqual([1]);
    expect(same(edited, plain)).toBe(false);
    // the same edit through a visitor that declares no hooks: every block split, same bits
    const undeclared = await play(engine, (positions) => {
      const v = visitor(positions);
      return (name, x, dims) => v(name, x, dims);
    });
    expect(engine.splitBlocks).toEqual([0, 1]);
    expect(same(edited, undeclared)).toBe(true);
  });

  it("edits and captures at block boundaries keep every block whole", async () => {
    const engine = await open("llama");
    const d = engine.config.dModel;
    const plan = compilePlan(
      [
        { kind: "add", hook: residPost(0), vector: new Array(d).fill(0.5), positions: "all" },
        { kind: "capture", hook: residPost(1), reduce: "last" },
      ],
      engine.config,
    );
    await play(engine, (positions) =>
      makeVisitor({ plans: Array.from({ length: B }, () => plan), positions }),
    );
    expect(engine.splitBlocks).toEqual([]);
  });

  it("a memory budget that fits the model fits its halves", async () => {
    const probe = await open("gpt2");
    const budget = Math.ceil(probe.residentWeightBytes * 1.01);
    const engine = await open("gpt2", budget);
    const whole = await play(engine);
    expect(same(await play(engine, () => everyHook), whole)).toBe(true);
    expect(engine.residentWeightBytes).toBeLessThanOrEqual(budget);
  });

  it("a block replaced while a step is running it is released only after that step", async () => {
    const engine = await open("qwen2");
    const whole = await play(engine);
    // Hold the first step of one sequence inside block 0's run, then split every block
    // from another sequence of steps, then let the first go on.
    const layer = (
      engine as unknown as { layers: { block: { run: (...a: unknown[]) => unknown } }[] }
    ).layers[0];
    const block = layer.block;
    const run = block.run.bind(block);
    let letGo: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    block.run = async (...args: unknown[]) => {
      await gate;
      return run(...args);
    };
    const held = play(engine);
    await new Promise((r) => setTimeout(r, 20));
    const split = await play(engine, () => everyHook);
    expect(engine.splitBlocks).toEqual([0, 1]);
    letGo();
    expect(same(await held, whole)).toBe(true);
    expect(same(split, whole)).toBe(true);
  });
});
