// Shared fixtures for the ORT-side lens tests: tiny random checkpoints written by
// make-tiny into a temp dir (once per arch/dtype/seed per test file), and the
// max |diff| measure the parity tests print and assert on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTinyCheckpoint, type TinyArch } from "../../src/lens/tiny.js";

let root: string | null = null; // created on first use, so importing maxAbsDiff leaves nothing behind
const made = new Map<string, string>();

/** A tiny checkpoint directory (2 layers, d_model 64 by default). */
export function tinyDir(
  arch: TinyArch,
  opts: { dtype?: "f32" | "bf16"; seed?: number; layers?: number } = {},
): string {
  const key = `${arch}-${opts.dtype ?? "f32"}-${opts.seed ?? 7}-${opts.layers ?? 2}`;
  let dir = made.get(key);
  if (!dir) {
    root ??= mkdtempSync(join(tmpdir(), "seige-lens-l2-"));
    dir = join(root, key);
    makeTinyCheckpoint({
      arch,
      outDir: dir,
      seed: opts.seed ?? 7,
      dtype: opts.dtype ?? "f32",
      layers: opts.layers ?? 2,
    });
    made.set(key, dir);
  }
  return dir;
}

export function removeFixtures(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = null;
  made.clear();
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
