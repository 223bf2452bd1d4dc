/**
 * Gradient benchmark for the lens runtime: forward alone vs forward + backward
 * (model.grad, cross-entropy on a 4-token continuation, gradient at hook_embed),
 * reported per block and per token, and GCG steps per minute, on random
 * checkpoints shaped like GPT-2 small and Qwen2.5-0.5B (f32, written by make-tiny
 * into a temp dir and deleted afterwards). `--quick` uses small shapes.
 *
 * Run:   nice -n 10 npx tsx bench/grad.ts [--quick] [--threads N] [--reps R] [--tokens T]
 *        [--gcg-width W] [--gcg-steps S] [--only gpt2|qwen2]
 * Prints medians over R repetitions after one warm-up, the command, versions and
 * machine. Memory: the Qwen-sized run holds forward and backward sessions
 * (~5–6 GB RAM, ~2 GB on disk).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gcg } from "../src/lens/gcg.js";
import { loadModel } from "../src/lens/model.js";
import { ORT_VERSION } from "../src/lens/ort.js";
import { makeTinyCheckpoint } from "../src/lens/tiny.js";
import { Rng } from "../src/util/rng.js";
import { benchShapes, gitCommit, type Shape } from "./lens-common.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    threads: { type: "string" },
    reps: { type: "string" },
    tokens: { type: "string" },
    "gcg-width": { type: "string" },
    "gcg-steps": { type: "string" },
    only: { type: "string" },
  },
});
const quick = values.quick ?? false;
const threads = values.threads ? Number(values.threads) : availableParallelism();
const reps = values.reps ? Number(values.reps) : 5;
const nTokens = values.tokens ? Number(values.tokens) : 32;
const gcgWidth = values["gcg-width"] ? Number(values["gcg-width"]) : 32;
const gcgSteps = values["gcg-steps"] ? Number(values["gcg-steps"]) : 2;
const SEED = 0;
const TARGET = 4;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();

const SHAPES = benchShapes(quick).filter((s) => !values.only || s.arch === values.only);

interface Row {
  model: string;
  layers: number;
  fwdMs: number;
  gradMs: number;
  gcgStepMs: number;
}

async function benchModel(shape: Shape, dir: string): Promise<Row> {
  makeTinyCheckpoint({ ...shape, outDir: dir, seed: SEED, dtype: "f32" });
  const model = await loadModel(dir, { threads });
  try {
    const rng = new Rng("bench-grad");
    const V = model.config.vocabSize;
    const ids = (n: number) => Array.from({ length: n }, () => rng.int(V));
    const tokens = ids(nTokens);
    const target = ids(TARGET);
    // grad runs on tokens ++ target[0..2]: the forward alone is timed on the same run
    const run = [...tokens, ...target.slice(0, -1)];
    const fwd: number[] = [];
    const grad: number[] = [];
    for (let r = 0; r <= reps; r++) {
      let t0 = now();
      await model.runWithCache(run, []);
      const f = now() - t0;
      t0 = now();
      await model.grad(tokens, { kind: "ce", target }, { wrt: ["embed"] });
      const g = now() - t0;
      if (r > 0) {
        fwd.push(f);
        grad.push(g);
      }
    }
    // GCG: a 20-token suffix inside the prompt, searchWidth candidates per step, batches of 4.
    const p = { before: tokens.slice(0, 8), suffix: ids(20), after: tokens.slice(8, 12), target };
    const allowed = Array.from({ length: V }, (_, i) => i);
    await gcg(model, p, { maxSteps: 1, searchWidth: 4, allowed, earlyStop: false }); // warm-up
    const t0 = now();
    const res = await gcg(model, p, {
      maxSteps: gcgSteps,
      searchWidth: gcgWidth,
      topK: 64,
      allowed,
      batchSize: 4,
      earlyStop: false,
      seed: SEED,
    });
    const gcgStepMs = (now() - t0) / res.steps;
    return {
      model: shape.label,
      layers: model.config.nLayers,
      fwdMs: median(fwd),
      gradMs: median(grad),
      gcgStepMs,
    };
  } finally {
    await model.close();
  }
}

async function main(): Promise<void> {
  const commit = gitCommit();
  const cmd = `npx tsx bench/grad.ts${quick ? " --quick" : ""} --threads ${threads} --reps ${reps} --tokens ${nTokens} --gcg-width ${gcgWidth} --gcg-steps ${gcgSteps}${values.only ? ` --only ${values.only}` : ""}`;
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
  console.log(
    `# seige lens grad bench\ncommand: ${cmd}\ncommit ${commit}, node ${process.version}, onnxruntime-node ${ORT_VERSION}, threads ${threads}, seed ${SEED}`,
  );
  console.log(
    `machine: ${cpus()[0]?.model ?? "unknown cpu"}, ${cpus().length} logical CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; load average at start ${load()}`,
  );
  console.log(
    `run: ${nTokens} prompt tokens + ${TARGET - 1} target tokens; medians of ${reps} after one warm-up; f32`,
  );
  const root = mkdtempSync(join(tmpdir(), "seige-grad-bench-"));
  const rows: Row[] = [];
  try {
    for (const [i, shape] of SHAPES.entries())
      rows.push(await benchModel(shape, join(root, `m${i}`)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(`load average at end: ${load()}`);
  const t = nTokens + TARGET - 1;
  console.log(
    "\n| model | forward ms | forward+backward ms | ratio | backward ms per block | backward µs per block per token | GCG step ms (width " +
      gcgWidth +
      ") | GCG steps/min |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const back = r.gradMs - r.fwdMs;
    console.log(
      `| ${r.model} | ${r.fwdMs.toFixed(1)} | ${r.gradMs.toFixed(1)} | ${(r.gradMs / r.fwdMs).toFixed(2)} | ${(back / r.layers).toFixed(2)} | ${((1000 * back) / r.layers / t).toFixed(0)} | ${r.gcgStepMs.toFixed(0)} | ${(60000 / r.gcgStepMs).toFixed(1)} |`,
    );
  }
}

await main();
