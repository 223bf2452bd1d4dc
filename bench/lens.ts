/**
 * Lens runtime benchmark: prefill and decode tokens/s at batch 1 and 8, with and
 * without interventions (a `capture` plus an `add` at a middle layer), on
 * random checkpoints shaped like GPT-2 small and Qwen2.5-0.5B (f32, written by
 * make-tiny into a temp dir and deleted afterwards). It also measures the
 * machine's memory read bandwidth in the same run (best of a 256 MB GEMV and a
 * 256 MB ReduceMax on ORT, before and after each model) and reports decode as a
 * fraction of the bandwidth roofline: one decode step must read every block
 * weight and the head once, so steps/s ≤ bandwidth / weight bytes.
 *
 * Run:   npx tsx bench/lens.ts [--quick] [--threads N] [--reps R] [--prompt P] [--decode D]
 * Prints medians over R repetitions, the command, versions, threads and machine.
 * Memory: the Qwen-sized run needs ~2 GB on disk and ~3 GB RAM (f32).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCheckpoint } from "../src/lens/checkpoint.js";
import type { InterventionInput } from "../src/lens/interventions.js";
import { GraphBuilder, int, ints } from "../src/lens/onnx/index.js";
import { createSession, ORT_VERSION } from "../src/lens/ort.js";
import { Engine } from "../src/lens/runtime/engine.js";
import { compilePlan } from "../src/lens/runtime/plan.js";
import { argmax } from "../src/lens/runtime/sample.js";
import { makeVisitor } from "../src/lens/runtime/visitor.js";
import { makeTinyCheckpoint } from "../src/lens/tiny.js";
import { Rng } from "../src/util/rng.js";
import { benchShapes, gitCommit, type Shape } from "./lens-common.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    threads: { type: "string" },
    reps: { type: "string" },
    prompt: { type: "string" },
    decode: { type: "string" },
  },
});
const quick = values.quick ?? false;
const threads = values.threads ? Number(values.threads) : availableParallelism();
const reps = values.reps ? Number(values.reps) : 5;
const promptLen = values.prompt ? Number(values.prompt) : 32;
const decodeSteps = values.decode ? Number(values.decode) : 16;
const SEED = 0;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();

const SHAPES: Shape[] = benchShapes(quick);

/** Read bandwidth as ORT's GEMV sees it: x[1,K] @ W[K,N] streams W (256 MB) from memory once per call; best of 10. */
async function ortBandwidth(): Promise<number> {
  const k = quick ? 2048 : 8192;
  const n = 8192;
  const g = new GraphBuilder("bw");
  const x = g.input("x", [1, k]);
  const w = new Float32Array(k * n);
  for (let i = 0; i < w.length; i += 97) w[i] = 1e-3;
  g.output(g.op("MatMul", [x, g.weight("w", w, [k, n])]), "y", [1, n]);
  const s = await createSession(g.build(), { threads });
  const feeds = { x: { data: new Float32Array(k).fill(1), dims: [1, k] } };
  await s.run(feeds);
  const times: number[] = [];
  for (let r = 0; r < 10; r++) {
    const t0 = now();
    await s.run(feeds);
    times.push(now() - t0);
  }
  await s.release();
  return w.byteLength / (median(times) / 1000) / 1e9;
}

/** Stream-read bandwidth: ReduceMax over a 256 MB graph input (the Node binding passes CPU inputs without a copy); best of 8. */
async function ortStreamBandwidth(): Promise<number> {
  const rows = quick ? 2048 : 8192;
  const g = new GraphBuilder("stream");
  const x = g.input("x", [rows, 8192]);
  g.output(g.op("ReduceMax", [x], { axes: ints([1]), keepdims: int(0) }), "y", [rows]);
  const s = await createSession(g.build(), { threads });
  const data = new Float32Array(rows * 8192).fill(1);
  const times: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = now();
    await s.run({ x: { data, dims: [rows, 8192] } });
    if (r > 0) times.push(now() - t0);
  }
  await s.release();
  return data.byteLength / (Math.min(...times) / 1000) / 1e9;
}

/** Single-threaded JS read bandwidth (sum over a 256 MB array), for comparison. */
function jsBandwidth(): number {
  const a = new Float64Array((quick ? 64 : 256) * 131072).fill(1);
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = now();
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    sink += s;
    times.push(now() - t0);
  }
  if (sink < 0) console.log(sink);
  return a.byteLength / (median(times) / 1000) / 1e9;
}

interface Row {
  model: string;
  batch: number;
  interventions: boolean;
  prefillTokS: number;
  decodeTokS: number;
  decodeMsPerStep: number;
  weightBytes: number;
}

async function benchModel(shape: Shape, dir: string): Promise<Row[]> {
  const t0 = now();
  makeTinyCheckpoint({ ...shape, outDir: dir, seed: SEED, dtype: "f32" });
  const ck = loadCheckpoint(dir, { cache: false });
  const t1 = now();
  const engine = await Engine.create(ck.config, ck.tensors, { threads });
  const t2 = now();
  const cfg = ck.config;
  const weightBytes = engine.decodeWeightBytes;
  console.error(
    `${shape.label}: wrote checkpoint in ${((t1 - t0) / 1000).toFixed(1)} s, built ${2 * cfg.nLayers + 2} sessions in ${((t2 - t1) / 1000).toFixed(1)} s; ${(weightBytes / 1e6).toFixed(0)} MB of weights per decode step`,
  );
  const mid = Math.floor(cfg.nLayers / 2);
  const rng = new Rng(`${SEED}/bench`);
  const steer: InterventionInput[] = [
    {
      kind: "add",
      hook: `blocks.${mid}.hook_resid_pre`,
      vector: Array.from({ length: cfg.dModel }, () => rng.normal()),
      scale: 0.5,
    },
    { kind: "capture", hook: `blocks.${mid}.hook_resid_post`, reduce: "last" },
  ];
  // One prefill of `promptLen` tokens per sequence, then `decodeSteps` greedy steps.
  const once = async (batch: number, withIv: boolean, r: number) => {
    const plans = Array.from({ length: batch }, () => compilePlan(withIv ? steer : [], cfg));
    const ids = Array.from({ length: batch * promptLen }, (_, i) => (i * 7919 + r) % cfg.vocabSize);
    let positions = Int32Array.from({ length: batch * promptLen }, (_, i) => i % promptLen);
    const captures = plans.map(() => []);
    const a = now();
    let res = await engine.step({
      batch,
      ids,
      positions,
      cache: engine.emptyCache(batch),
      visit: withIv ? makeVisitor({ plans, positions, captures }) : undefined,
      logits: "last",
    });
    const b = now();
    for (let s = 0; s < decodeSteps; s++) {
      const next = Array.from({ length: batch }, (_, i) =>
        argmax(res.logits.subarray(i * cfg.vocabSize, (i + 1) * cfg.vocabSize)),
      );
      positions = new Int32Array(batch).fill(promptLen + s);
      res = await engine.step({
        batch,
        ids: next,
        positions,
        cache: res.cache,
        visit: withIv ? makeVisitor({ plans, positions }) : undefined,
        logits: "last",
      });
    }
    return { prefill: b - a, step: (now() - b) / decodeSteps };
  };
  const rows: Row[] = [];
  for (const batch of [1, 8]) {
    // Conditions alternate within each repetition so drifting machine load hits both alike.
    const times = new Map<boolean, { prefill: number[]; step: number[] }>([
      [false, { prefill: [], step: [] }],
      [true, { prefill: [], step: [] }],
    ]);
    for (let r = 0; r < reps + 1; r++) {
      for (const withIv of [false, true]) {
        const t = await once(batch, withIv, r);
        if (r === 0) continue; // warm-up
        times.get(withIv)!.prefill.push(t.prefill);
        times.get(withIv)!.step.push(t.step);
      }
    }
    for (const withIv of [false, true]) {
      const t = times.get(withIv)!;
      const step = median(t.step);
      rows.push({
        model: shape.label,
        batch,
        interventions: withIv,
        prefillTokS: (batch * promptLen) / (median(t.prefill) / 1000),
        decodeTokS: batch / (step / 1000),
        decodeMsPerStep: step,
        weightBytes,
      });
    }
  }
  await engine.close();
  return rows;
}

async function mainBench(): Promise<void> {
  const commit = gitCommit();
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  const cmd = `npx tsx bench/lens.ts${quick ? " --quick" : ""} --threads ${threads} --reps ${reps} --prompt ${promptLen} --decode ${decodeSteps}`;
  console.log(
    `# seige lens bench\ncommand: ${cmd}\ncommit ${commit}, node ${process.version}, onnxruntime-node ${ORT_VERSION}, threads ${threads}, seed ${SEED}`,
  );
  console.log(
    `machine: ${cpu}, ${cpus().length} logical CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
  );
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
  console.log(
    `load average at start: ${load()} (other processes on the machine skew medians; see the roofline column)`,
  );
  const jsBw = jsBandwidth();
  const measure = async () => Math.max(await ortBandwidth(), await ortStreamBandwidth());
  const ortBw: number[] = [await measure()];
  console.log(
    `prompt ${promptLen} tokens per sequence, ${decodeSteps} decode steps, medians of ${reps} runs after one warm-up; f32 weights`,
  );
  const root = mkdtempSync(join(tmpdir(), "seige-lens-bench-"));
  const rows: Row[] = [];
  try {
    for (const [i, shape] of SHAPES.entries()) {
      rows.push(...(await benchModel(shape, join(root, `m${i}`))));
      ortBw.push(await measure()); // re-measured after each model: load drifts
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const bw = Math.max(jsBw, ...ortBw);
  console.log(
    `memory read bandwidth (best run): ORT (best of a 256 MB GEMV and a 256 MB ReduceMax, ${threads} threads) ${ortBw.map((b) => b.toFixed(1)).join(" / ")} GB/s; JS sum, 1 thread ${jsBw.toFixed(1)} GB/s; roofline uses ${bw.toFixed(1)} GB/s`,
  );
  console.log(`load average at end: ${load()}`);
  console.log(
    "\n| model | batch | interventions | prefill tok/s | decode tok/s | decode ms/step | decode steps/s vs roofline (bandwidth / weight bytes) |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const roofline = (bw * 1e9) / r.weightBytes; // steps/s if every step only streamed its weights
    console.log(
      `| ${r.model} | ${r.batch} | ${r.interventions ? "capture + add" : "none"} | ${r.prefillTokS.toFixed(0)} | ${r.decodeTokS.toFixed(1)} | ${r.decodeMsPerStep.toFixed(1)} | ${(100 * (1000 / r.decodeMsPerStep / roofline)).toFixed(0)}% of ${roofline.toFixed(1)} |`,
    );
  }
}

await mainBench();
