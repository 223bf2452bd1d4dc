// Tiny random checkpoints for lens tests, written once per test file into a temp
// directory (removed by `cleanup`). Built with make-tiny, so every test exercises
// the real loader on real files.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Checkpoint, loadCheckpoint } from "../../src/lens/checkpoint.js";
import { type MakeTinyOptions, makeTinyCheckpoint, type TinyArch } from "../../src/lens/tiny.js";

export class TinyDirs {
  readonly root = mkdtempSync(join(tmpdir(), "seige-lens-"));
  private n = 0;
  private readonly made = new Map<string, Checkpoint>();

  /** A fresh empty directory under the root (created). */
  dir(name = "d"): string {
    const d = join(this.root, `${name}-${this.n++}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** make-tiny + loadCheckpoint, memoised on the options. */
  checkpoint(arch: TinyArch, opts: Omit<MakeTinyOptions, "arch" | "outDir"> = {}): Checkpoint {
    const key = JSON.stringify({ arch, ...opts });
    const hit = this.made.get(key);
    if (hit) return hit;
    const outDir = this.dir(arch);
    makeTinyCheckpoint({ arch, outDir, ...opts });
    const ck = loadCheckpoint(outDir);
    this.made.set(key, ck);
    return ck;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
