// The lens CLI end to end through the dispatcher's `main()`: make-tiny →
// inspect → forward --json (checked against the reference forward) → generate.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/lens/checkpoint.js";
import { referenceForward } from "../../src/lens/reference/index.js";
import { runCli } from "../helpers/cli-main.js";
import { maxAbsDiff } from "./ort-fixtures.js";

const root = mkdtempSync(join(tmpdir(), "seige-lens-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = runCli;

describe("seige lens", () => {
  const dir = join(root, "tiny-gemma3");

  it("make-tiny → inspect → forward --json → generate", async () => {
    expect(
      (
        await cli(
          "lens",
          "make-tiny",
          "--arch",
          "gemma3",
          "--out",
          dir,
          "--seed",
          "3",
          "--layers",
          "2",
          "--d-model",
          "32",
        )
      ).code,
    ).toBe(0);

    const inspect = await cli("lens", "inspect", dir, "--json");
    expect(inspect.code).toBe(0);
    const info = JSON.parse(inspect.stdout);
    expect(info).toMatchObject({ arch: "gemma3", layers: 2, dModel: 32, dtype: "f32" });
    expect(info.hookPoints).toContain("blocks.1.attn.hook_z");
    const human = await cli("lens", "inspect", dir);
    expect(human.stdout).toContain("blocks.1.hook_resid_post");

    const vector = Array.from({ length: 32 }, (_, i) => Math.sin(i));
    const file = join(root, "steer.json");
    writeFileSync(
      file,
      JSON.stringify([{ kind: "add", hook: "blocks.0.hook_resid_post", vector, scale: 3 }]),
    );
    const tokens = [2, 40, 41, 42, 9];
    const fwd = await cli(
      "lens",
      "forward",
      "--model",
      dir,
      "--tokens",
      tokens.join(","),
      "--hooks",
      "blocks.1.hook_resid_pre,blocks.0.attn.hook_z",
      "--intervene",
      file,
      "--json",
    );
    expect(fwd.code).toBe(0);
    const parsed = JSON.parse(fwd.stdout);
    const ck = loadCheckpoint(dir);
    const ref = referenceForward(ck, tokens, {
      interventions: [{ kind: "add", hook: "blocks.0.hook_resid_post", vector, scale: 3 }],
      hooks: ["blocks.1.hook_resid_pre", "blocks.0.attn.hook_z"],
    });
    const v = ck.config.vocabSize;
    expect(parsed.logits).toHaveLength(v);
    expect(maxAbsDiff(parsed.logits, ref.logits.subarray((tokens.length - 1) * v))).toBeLessThan(
      1e-4,
    );
    expect(parsed.hooks["blocks.1.hook_resid_pre"]).toHaveLength(tokens.length);
    expect(
      maxAbsDiff(
        parsed.hooks["blocks.1.hook_resid_pre"].flat(),
        ref.cache.get("blocks.1.hook_resid_pre")!,
      ),
    ).toBeLessThan(1e-4);
    expect(parsed.hooks["blocks.0.attn.hook_z"][0]).toHaveLength(
      ck.config.nHeads * ck.config.headDim,
    );

    const gen = await cli(
      "lens",
      "generate",
      "--model",
      dir,
      "--prompt",
      "hello",
      "--chat",
      "--max-new-tokens",
      "4",
      "--intervene",
      file,
    );
    expect(gen.code).toBe(0);
    expect(gen.stderr).toMatch(/\d+ tokens, (stop|length)/);
  });

  it("reports usage errors with exit code 2", async () => {
    expect((await cli("lens", "forward", "--model", dir)).code).toBe(2);
    expect((await cli("lens", "make-tiny", "--arch", "mamba", "--out", join(root, "x"))).code).toBe(
      2,
    );
    const bad = await cli(
      "lens",
      "forward",
      "--model",
      dir,
      "--tokens",
      "1,2",
      "--hooks",
      "blocks.7.hook_resid_pre",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown hook");
    expect((await cli("lens", "inspect", join(root, "missing"))).code).toBe(2);
  });

  it("gemma4: inspect --memory --quant int4 prints peak memory; check --ep cpu reports parity and speed; --ep cuda fails clearly without the provider", async () => {
    const g4 = join(root, "tiny-gemma4");
    expect(
      (await cli("lens", "make-tiny", "--arch", "gemma4", "--out", g4, "--layers", "6")).code,
    ).toBe(0);
    const mem = await cli("lens", "inspect", g4, "--memory", "--quant", "int4", "--json");
    expect(mem.code).toBe(0);
    const info = JSON.parse(mem.stdout);
    expect(info.arch).toBe("gemma4");
    expect(info.hookPoints).toContain("blocks.5.hook_ple_out");
    expect(info.memory.quant).toBe("int4");
    expect(info.memory.residentWeightBytes).toBeGreaterThan(0);
    expect(info.memory.peakRssBytes).toBeGreaterThan(info.memory.residentWeightBytes);
    const check = await cli(
      "lens",
      "check",
      "--model",
      g4,
      "--ep",
      "cpu",
      "--tokens",
      "8",
      "--decode",
      "2",
      "--json",
    );
    expect(check.code).toBe(0);
    const r = JSON.parse(check.stdout);
    expect(r.maxAbsLogitDiff).toBe(0);
    expect(r.provider.decodeTokPerS).toBeGreaterThan(0);
    expect(
      (await cli("lens", "forward", "--model", g4, "--tokens", "1,2", "--quant", "int3")).code,
    ).toBe(2);
    // This machine has no CUDA provider libraries (docs/lens.md): a clear message, exit 1.
    const cuda = await cli("lens", "check", "--model", g4, "--ep", "cuda", "--tokens", "4");
    if (cuda.code !== 0) {
      expect(cuda.code).toBe(1);
      expect(cuda.stderr).toContain("execution provider 'cuda' is not available");
    }
  });
});
