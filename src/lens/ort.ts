/**
 * The only file that imports onnxruntime-node. Everything else sees plain
 * `Float32Array`s with shapes (`OrtFeed`) and a `LensSession` with one method.
 *
 * Why the session options are as they are (measured, lens/BACKEND.md):
 * - `allow_spinning: '0'`: each session owns an intra-op thread pool that spins
 *   by default; with one session per half-block, spinning pools fight over the
 *   cores (decode went from ~25 ms to 156–608 ms/token on 2 cores). The Node
 *   binding exposes no global pools, so spinning is switched off per session.
 * - `intraOpNumThreads` from the `threads` option (default: ORT's choice).
 * - weights are initializers inside the graph bytes, so ORT prepacks them
 *   (1.5–3× faster prefill than weights-as-inputs); big graphs pass their weights
 *   through `externalData` in memory (protobuf's 2 GB limit).
 * - `executionProviders` is passed through: 'cpu' (default), 'cuda' (needs the
 *   postinstall opt-in and CUDA 12 / cuDNN 9), 'webgpu' (needs Vulkan). With CUDA,
 *   outputs (the KV cache included) come back to host memory every run: the Node
 *   binding has no CUDA IO binding.
 * - the CPU memory arena stays on by default: with it off, every run allocates
 *   and frees its buffers through malloc, and lens-backed play (a 4-layer,
 *   64-wide model, 2 episodes of `seige play --stage 2`) took 174 s user + 146 s
 *   system CPU instead of 47 s. The cost is memory: the arena keeps what the
 *   largest shapes needed, so the runtime keeps shapes bounded instead (chunked
 *   prefill, a prefix cache that leaves only new turns to run, a KV buffer
 *   written in place; docs/lens.md "Activation memory").
 *   `SEIGE_LENS_LOW_MEMORY=1` turns the arena off for memory-bound machines.
 *   Memory patterns (a plan per input shape) stay off: they only pay for
 *   repeated identical shapes, which decode never has.
 */
import * as ort from "onnxruntime-node";
import { SeigeError } from "../util/errors.js";
import type { BuiltGraph } from "./onnx/index.js";

export type ExecutionProvider = "cpu" | "cuda" | "webgpu" | { name: string; deviceId?: number };

export interface SessionOptions {
  threads?: number;
  executionProviders?: ExecutionProvider[];
}

export interface OrtFeed {
  data: Float32Array | BigInt64Array;
  dims: number[];
}

export interface OrtOutput {
  data: Float32Array;
  dims: number[];
}

export interface LensSession {
  readonly inputNames: readonly string[];
  /** Runs the graph; `fetch` limits which outputs are copied back (default: all). */
  run(feeds: Record<string, OrtFeed>, fetch?: string[]): Promise<Record<string, OrtOutput>>;
  release(): Promise<void>;
}

export const ORT_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;

export async function createSession(
  graph: BuiltGraph,
  opts: SessionOptions = {},
): Promise<LensSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: (opts.executionProviders ?? [
      "cpu",
    ]) as ort.InferenceSession.SessionOptions["executionProviders"],
    graphOptimizationLevel: "all",
    enableCpuMemArena: process.env.SEIGE_LENS_LOW_MEMORY !== "1",
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
  if (opts.threads !== undefined) options.intraOpNumThreads = opts.threads;
  if (graph.externalData.length > 0) options.externalData = graph.externalData;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(graph.bytes, options);
  } catch (e) {
    throw new SeigeError(
      "backend_unavailable",
      `onnxruntime could not create a session (${(e as Error).message}); for 'cuda' install the CUDA provider (see docs/lens.md), for 'webgpu' a Vulkan driver is needed`,
    );
  }
  return {
    inputNames: session.inputNames,
    async run(feeds, fetch) {
      const inputs: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) {
        inputs[name] = new ort.Tensor(
          f.data instanceof BigInt64Array ? "int64" : "float32",
          f.data,
          f.dims,
        );
      }
      const result = fetch ? await session.run(inputs, fetch) : await session.run(inputs);
      const out: Record<string, OrtOutput> = {};
      for (const [name, t] of Object.entries(result)) {
        out[name] = { data: t.data as Float32Array, dims: t.dims.slice() };
      }
      return out;
    },
    release: () => session.release(),
  };
}
