/**
 * `seige lens check --model DIR --ep cuda|webgpu|cpu`: one command that says
 * whether an execution provider runs this model, how far its logits are from the
 * CPU's on the same tokens (max |Δ| and relative RMS), and how fast it is
 * (prefill ms, greedy decode tok/s) beside the CPU in the same run. When the
 * provider is missing (no GPU, no CUDA libraries, no WebGPU adapter) it fails
 * with a clear message and exit code 1; the CPU path is unaffected.
 *
 * Not here: the provider plumbing itself (lens/ort.ts passes
 * `executionProviders` through to onnxruntime-node).
 */
import { performance } from "node:perf_hooks";
import { type LensModel, loadModel } from "../lens/index.js";
import { SeigeError } from "../util/errors.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { runtimeFlags } from "./lens.js";

interface Timing {
  prefillMs: number;
  decodeTokPerS: number;
}

async function time(model: LensModel, tokens: number[], decode: number): Promise<Timing> {
  const t0 = performance.now();
  await model.runWithCache(tokens, []);
  const prefillMs = performance.now() - t0;
  const t1 = performance.now();
  const [g] = await model.generate([tokens], { maxNewTokens: decode, stop: [] });
  const s = (performance.now() - t1) / 1000;
  return { prefillMs, decodeTokPerS: g.tokens.length / s };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      ep: { type: "string" },
      tokens: { type: "string" },
      decode: { type: "string" },
      quant: { type: "string" },
      threads: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.model || !values.ep) throw new CliUsageError("check needs --model and --ep");
  const opts = runtimeFlags(values);
  const n = intFlag(values.tokens, "tokens", 32);
  const decode = intFlag(values.decode, "decode", 16);
  const cpu = await loadModel(values.model, { ...opts, executionProviders: ["cpu"] });
  let ep: LensModel;
  try {
    ep = await loadModel(values.model, opts);
  } catch (e) {
    await cpu.close();
    if (e instanceof SeigeError && e.code === "backend_unavailable") {
      process.stderr.write(
        `execution provider '${values.ep}' is not available here: ${e.message}\n` +
          "The CPU path works without it; docs/lens.md (GPU) says what the CUDA and WebGPU providers need.\n",
      );
      return 1;
    }
    throw e;
  }
  try {
    const v = cpu.config.vocabSize;
    const tokens = Array.from({ length: n }, (_, i) => (i * 37 + 5) % v);
    const a = (await cpu.runWithCache(tokens, [])).logits.data;
    const b = (await ep.runWithCache(tokens, [])).logits.data;
    let maxAbs = 0;
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
      num += (a[i] - b[i]) ** 2;
      den += a[i] ** 2;
    }
    const report = {
      ep: values.ep,
      quant: opts.quant ?? "f32",
      tokens: n,
      maxAbsLogitDiff: maxAbs,
      relRmsLogitDiff: Math.sqrt(num / den),
      cpu: await time(cpu, tokens, decode),
      provider: await time(ep, tokens, decode),
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    const line = (name: string, t: Timing) =>
      `  ${name.padEnd(7)} prefill ${n} tokens ${t.prefillMs.toFixed(1)} ms, decode ${t.decodeTokPerS.toFixed(1)} tok/s`;
    process.stdout.write(
      `${values.ep} vs cpu (${report.quant}): max |Δlogits| ${maxAbs.toExponential(2)}, relative ${report.relRmsLogitDiff.toExponential(2)}\n` +
        `${line("cpu", report.cpu)}\n${line(values.ep, report.provider)}\n`,
    );
    return 0;
  } finally {
    await cpu.close();
    await ep.close();
  }
}
