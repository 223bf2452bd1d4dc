import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  encode,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  SafetensorsFile,
  SafetensorsSet,
  writeSafetensors,
} from "../../src/lens/safetensors.js";
import { Rng } from "../../src/util/rng.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

function randomTensor(name: string, shape: number[], seed: string) {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 3;
  return { name, shape, data };
}

describe("safetensors", () => {
  it("round-trips f32 exactly, with metadata and an 8-byte-aligned header", () => {
    const path = join(dirs.dir(), "a.safetensors");
    const a = randomTensor("a.weight", [3, 5], "a");
    const b = randomTensor("b.bias", [7], "b");
    writeSafetensors(path, [a, b], "f32", { format: "pt", note: "x" });
    const bytes = readFileSync(path);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
    const f = SafetensorsFile.open(path);
    expect(f.metadata).toEqual({ format: "pt", note: "x" });
    expect(f.entries.get("a.weight")?.dtype).toBe("f32");
    expect(f.read("a.weight")).toEqual({ shape: [3, 5], data: a.data });
    expect(f.read("b.bias").data).toEqual(b.data);
  });

  it("round-trips bf16 within half an ulp (2^-8 relative), rounding ties to even", () => {
    const path = join(dirs.dir(), "b.safetensors");
    const t = randomTensor("w", [1000], "bf");
    writeSafetensors(path, [t], "bf16");
    const back = SafetensorsFile.open(path).read("w").data;
    for (let i = 0; i < t.data.length; i++)
      expect(Math.abs(back[i] - t.data[i])).toBeLessThanOrEqual(Math.abs(t.data[i]) * 2 ** -8);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80);
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(f32ToBf16(-2)).toBe(0xc000);
  });

  it("round-trips f16 within half an ulp, with subnormals and overflow to infinity", () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(0.1)).toBe(0x2e66);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(1e5)).toBe(0x7c00);
    expect(f16ToF32(f32ToF16(2 ** -24))).toBe(2 ** -24);
    expect(f16ToF32(f32ToF16(3 * 2 ** -20))).toBe(3 * 2 ** -20);
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const back = f16ToF32(f32ToF16(x));
        const ulp = Math.max(2 ** -24, 2 ** (Math.floor(Math.log2(Math.abs(x) || 1)) - 10));
        return Math.abs(back - x) <= ulp / 2 + 1e-12;
      }),
    );
    const path = join(dirs.dir(), "h.safetensors");
    const t = randomTensor("w", [4, 4], "h");
    writeSafetensors(path, [t], "f16");
    const back = SafetensorsFile.open(path).read("w").data;
    for (let i = 0; i < 16; i++) expect(back[i]).toBe(f16ToF32(f32ToF16(t.data[i])));
  });

  it("encode (whole-array, for multi-GB checkpoints) writes exactly the per-value conversions, little-endian", () => {
    const xs = new Float32Array([0, -0, 1, -2.5, 1 + 2 ** -8, 3e-41, 1e-8, 7e4, 1e39, Number.NaN]);
    xs[8] = Number.POSITIVE_INFINITY;
    const sub = xs.subarray(1); // a view at a non-zero byte offset
    for (const [dtype, one] of [
      ["bf16", f32ToBf16],
      ["f16", f32ToF16],
    ] as const) {
      const buf = encode(sub, dtype);
      expect(buf.length).toBe(2 * sub.length);
      for (let i = 0; i < sub.length; i++) expect(buf.readUInt16LE(2 * i)).toBe(one(sub[i]));
    }
  });

  it("opens a sharded checkpoint through model.safetensors.index.json", () => {
    const dir = dirs.dir("sharded");
    const a = randomTensor("layers.0.w", [2, 3], "s0");
    const b = randomTensor("layers.1.w", [4], "s1");
    writeSafetensors(join(dir, "model-00001-of-00002.safetensors"), [a], "f32");
    writeSafetensors(join(dir, "model-00002-of-00002.safetensors"), [b], "bf16");
    const weightMap = {
      "layers.0.w": "model-00001-of-00002.safetensors",
      "layers.1.w": "model-00002-of-00002.safetensors",
    };
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const set = SafetensorsSet.open(join(dir, "model.safetensors.index.json"));
    expect(set.names().sort()).toEqual(["layers.0.w", "layers.1.w"]);
    expect(set.read("layers.0.w").data).toEqual(a.data);
    expect(set.entry("layers.1.w")?.dtype).toBe("bf16");
    expect(set.fileOf("layers.1.w")).toContain("00002");
  });

  it("names a shard the index points to but that is missing", () => {
    const dir = dirs.dir("broken");
    writeSafetensors(join(dir, "one.safetensors"), [randomTensor("w", [2], "m")], "f32");
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ weight_map: { w: "one.safetensors", v: "two.safetensors" } }),
    );
    expect(() => SafetensorsSet.open(join(dir, "model.safetensors.index.json"))).toThrow(
      /two\.safetensors.*missing/,
    );
  });

  it("rejects unsupported dtypes and inconsistent offsets with the tensor's name", () => {
    const dir = dirs.dir("bad");
    const write = (header: object, dataBytes: number) => {
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      const path = join(dir, `${Object.keys(header)[0]}.safetensors`);
      writeFileSync(path, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
      return path;
    };
    expect(() =>
      SafetensorsFile.open(write({ ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, 16)),
    ).toThrow(/"ids".*I64.*F32, F16 and BF16/);
    expect(() =>
      SafetensorsFile.open(write({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8)),
    ).toThrow(/"w" spans 8 bytes/);
    expect(() => SafetensorsFile.open(join(dir, "nope.safetensors"))).toThrow(
      /no such safetensors file/,
    );
  });
});
