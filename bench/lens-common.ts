/**
 * What the lens benchmarks share: the checkpoint shapes they run on (random
 * weights written by make-tiny: GPT-2 small and Qwen2.5-0.5B, or small stand-ins
 * with `--quick`), so bench/lens.ts and bench/grad.ts measure the same models,
 * and the commit id their headers print.
 */
import { execSync } from "node:child_process";
import type { MakeTinyOptions } from "../src/lens/tiny.js";

/** The short commit id of the working tree, or "unknown" outside git. */
export function gitCommit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}

export type Shape = Omit<MakeTinyOptions, "outDir" | "seed" | "dtype"> & { label: string };
export const benchShapes = (quick: boolean): Shape[] =>
  quick
    ? [
        {
          label: "gpt2-quick",
          arch: "gpt2",
          layers: 4,
          dModel: 256,
          nHeads: 4,
          dMlp: 1024,
          vocabSize: 8192,
          maxPositions: 256,
        },
        {
          label: "qwen2-quick",
          arch: "qwen2",
          layers: 4,
          dModel: 256,
          nHeads: 4,
          nKvHeads: 2,
          headDim: 64,
          dMlp: 1024,
          vocabSize: 8192,
          maxPositions: 256,
        },
      ]
    : [
        {
          label: "gpt2-small (124M)",
          arch: "gpt2",
          layers: 12,
          dModel: 768,
          nHeads: 12,
          dMlp: 3072,
          vocabSize: 50257,
          maxPositions: 1024,
        },
        {
          label: "qwen2.5-0.5b (494M)",
          arch: "qwen2",
          layers: 24,
          dModel: 896,
          nHeads: 14,
          nKvHeads: 2,
          headDim: 64,
          dMlp: 4864,
          vocabSize: 151936,
          maxPositions: 32768,
        },
      ];
