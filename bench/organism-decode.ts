/**
 * What one decode step costs on the model organism, and where it goes (issue 13, item 5:
 * an allow-all episode at stage 2 is mostly decode steps and rebuilds of steered
 * histories; bench/organism-episode.ts splits it). Three figures, from the same run:
 *
 * - the engine's decode step (src/lens/runtime/engine.ts, as the lens target runs it: one
 *   ORT run per block and one for the unembedding, the embedding a table lookup in JS),
 *   after a prefill of `--context` tokens, at batch 1, 4 and 8;
 * - one block's ORT session alone, fed a decode step's inputs over and over (its weights
 *   and the KV buffer stay in the core's caches), with no past and with `--context`
 *   columns of it; and the unembedding's session alone;
 * - the floor of an ORT run from Node: a graph of one Add on 128 floats.
 *
 * The block graph's node count (before ORT's optimiser) is printed beside it: for a model
 * this small a block's run is mostly per-node work, not arithmetic.
 *
 *   npx tsx bench/organism-decode.ts [--steps 200] [--context 520] [--threads N]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { loadCheckpoint } from "../src/lens/checkpoint.js";
import {
  ATTN_INPUTS,
  attnWeights,
  BLOCK_OUTPUT,
  buildBlock,
  buildUnembed,
  mlpWeights,
  UNEMBED_IO,
  unembedWeights,
} from "../src/lens/graph/index.js";
import { GraphBuilder } from "../src/lens/onnx/index.js";
import { createSession, type LensSession, type OrtFeed } from "../src/lens/ort.js";
import { Engine } from "../src/lens/runtime/engine.js";
import { organismDir } from "../src/target/lens/organism.js";
import { benchHeader, median } from "./env-info.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "200" },
    context: { type: "string", default: "520" },
    threads: { type: "string" },
  },
});
const steps = Number(values.steps);
const context = Number(values.context);
const threads = values.threads === undefined ? undefined : Number(values.threads);
const opts = threads === undefined ? {} : { threads };

console.log(
  benchHeader(
    `npx tsx bench/organism-decode.ts --steps ${steps} --context ${context}${threads === undefined ? "" : ` --threads ${threads}`}`,
    { model: "models/organism", "ort threads": threads ?? "ORT's default" },
  ),
);
console.log(
  `# load average at start: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ")}`,
);

const ck = loadCheckpoint(organismDir(), { cache: true });
const cfg = ck.config;

/** Median microseconds of `fn` over `n` calls, after `n / 10` warm-up calls. */
async function micros(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.ceil(n / 10); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push((performance.now() - t) * 1000);
  }
  return median(times);
}

// The engine's decode step, after a prefill of `context` tokens.
const engine = await Engine.create(cfg, ck.tensors, opts);
console.log("\nthe engine's decode step (every block, the unembedding, the KV cache written back)");
console.log("batch  ms/step (median)  ms per row");
for (const b of [1, 4, 8]) {
  const cache = engine.emptyCache(b);
  const ids = Int32Array.from({ length: b * context }, (_, i) => (i * 7) % (cfg.vocabSize - 3));
  const positions = Int32Array.from({ length: b * context }, (_, i) => i % context);
  await engine.step({ batch: b, ids, positions, cache, logits: "none" });
  let next = context;
  const us = await micros(steps, async () => {
    // Past the buffer's capacity the cache would grow: start again from the prefill.
    if (next >= cache.capacity) {
      cache.length = context;
      next = context;
    }
    const pos = new Int32Array(b).fill(next++);
    await engine.step({
      batch: b,
      ids: new Int32Array(b).fill(5),
      positions: pos,
      cache,
      logits: "last",
    });
  });
  console.log(
    `${String(b).padEnd(6)} ${(us / 1000).toFixed(3).padEnd(18)} ${(us / 1000 / b).toFixed(3)}`,
  );
}
await engine.close();

// One block alone, fed a decode step's inputs.
const graph = buildBlock(cfg, attnWeights(ck.tensors, cfg, 1), mlpWeights(ck.tensors, cfg, 1), 1);
const block = await createSession(graph.build(), opts);
const hd = cfg.headDim;
const blockFeeds = (past: number): Record<string, OrtFeed> => ({
  [ATTN_INPUTS.x]: { data: new Float32Array(cfg.dModel).fill(0.1), dims: [1, 1, cfg.dModel] },
  [ATTN_INPUTS.mask]: { data: new Float32Array(past + 1), dims: [1, 1, 1, 1, past + 1] },
  [ATTN_INPUTS.headMask]: {
    data: new Float32Array(cfg.nHeads).fill(1),
    dims: [1, 1, cfg.nHeads, 1],
  },
  [ATTN_INPUTS.pastKey]: {
    data: new Float32Array(cfg.nKvHeads * hd * past),
    dims: [1, cfg.nKvHeads, hd, past],
  },
  [ATTN_INPUTS.pastValue]: {
    data: new Float32Array(cfg.nKvHeads * hd * past),
    dims: [1, cfg.nKvHeads, past, hd],
  },
  [ATTN_INPUTS.cos]: { data: new Float32Array(hd).fill(1), dims: [1, 1, 1, hd] },
  [ATTN_INPUTS.sin]: { data: new Float32Array(hd), dims: [1, 1, 1, hd] },
});
const runAlone = (s: LensSession, feeds: Record<string, OrtFeed>, fetch?: string[]) =>
  micros(steps * 5, () => s.run(feeds, fetch));
// The engine's buffer holds the context rounded up to its 64-column step.
const capacity = Math.ceil((context + 1) / 64) * 64;
const noPast = await runAlone(block, blockFeeds(0), [BLOCK_OUTPUT]);
const withPast = await runAlone(block, blockFeeds(capacity), [BLOCK_OUTPUT]);
await block.release();

const unembed = await createSession(
  buildUnembed(cfg, unembedWeights(ck.tensors, cfg)).build(),
  opts,
);
const unembedAlone = await runAlone(unembed, {
  [UNEMBED_IO.x]: { data: new Float32Array(cfg.dModel).fill(0.1), dims: [1, 1, cfg.dModel] },
});
await unembed.release();

const g = new GraphBuilder("floor");
g.output(g.op("Add", [g.input("x", ["B", cfg.dModel]), "x"]), "y", ["B", cfg.dModel]);
const floor = await createSession(g.build(), opts);
const floorUs = await runAlone(floor, {
  x: { data: new Float32Array(cfg.dModel), dims: [1, cfg.dModel] },
});
await floor.release();

console.log("\none session alone, batch 1, one new token");
const rows: [string, number][] = [
  [`block, no past (${graph.nodeCount} nodes)`, noPast],
  [`block, ${capacity} columns of past`, withPast],
  [`unembedding (vocabulary ${cfg.vocabSize})`, unembedAlone],
  [`one Add on ${cfg.dModel} floats (an ORT run's floor)`, floorUs],
];
console.log(`${"session".padEnd(44)} µs/run (median)`);
for (const [what, us] of rows) console.log(`${what.padEnd(44)} ${us.toFixed(1)}`);
console.log(
  `\nsessions alone, summed as a step runs them (${cfg.nLayers} blocks + unembedding): ${((cfg.nLayers * withPast + unembedAlone) / 1000).toFixed(3)} ms`,
);
