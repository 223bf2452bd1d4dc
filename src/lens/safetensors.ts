/**
 * Reads and writes the safetensors format (ARCHITECTURES.md §2.0): a u64 LE header
 * length, a JSON header `{name: {dtype, shape, data_offsets}}`, then raw row-major
 * little-endian data. Reading is lazy: opening a file parses only its header, and
 * each tensor is read by offset when asked for, converted to f32. That keeps multi-GB
 * checkpoints (beyond Node's Buffer limit) loadable one tensor at a time. Sharded
 * checkpoints (`model.safetensors.index.json` with a `weight_map`) open as one
 * `SafetensorsSet`.
 *
 * Deliberately not here: canonical names, tied heads and shape checks against a
 * config (checkpoint.ts), and dtypes other than F32/F16/BF16 (rejected with a clear
 * error). The writer is for make-tiny and tests, so it writes one file at once.
 *
 * bf16 writing rounds to nearest, ties to even (what `torch.Tensor.to(bfloat16)`
 * does); f16 writing rounds to nearest even too, with subnormals and ±inf overflow.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SeigeError } from "../util/errors.js";
import type { StorageDtype, Tensor } from "./types.js";

export interface SafetensorsEntry {
  dtype: StorageDtype;
  shape: number[];
  /** absolute byte offsets in the file */
  begin: number;
  end: number;
}

const DTYPES: Record<string, StorageDtype> = { F32: "f32", F16: "f16", BF16: "bf16" };
const BYTES: Record<StorageDtype, number> = { f32: 4, f16: 2, bf16: 2 };
const NAMES: Record<StorageDtype, string> = { f32: "F32", f16: "F16", bf16: "BF16" };

function fail(message: string): never {
  throw new SeigeError("config_error", message);
}

function readExact(fd: number, length: number, position: number, path: string): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) fail(`${path}: file ends early (wanted ${length} bytes at offset ${position})`);
    done += n;
  }
  return buf;
}

/** One .safetensors file, header parsed, tensors read on demand. */
export class SafetensorsFile {
  readonly path: string;
  readonly entries: Map<string, SafetensorsEntry>;
  readonly metadata: Record<string, string>;

  private constructor(
    path: string,
    entries: Map<string, SafetensorsEntry>,
    metadata: Record<string, string>,
  ) {
    this.path = path;
    this.entries = entries;
    this.metadata = metadata;
  }

  static open(path: string): SafetensorsFile {
    if (!existsSync(path)) fail(`${path}: no such safetensors file`);
    const fd = openSync(path, "r");
    try {
      const len = Number(readExact(fd, 8, 0, path).readBigUInt64LE(0));
      if (len <= 0 || len > 100_000_000)
        fail(`${path}: implausible safetensors header length ${len}; is this a safetensors file?`);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(readExact(fd, len, 8, path).toString("utf8"));
      } catch {
        return fail(`${path}: safetensors header is not valid JSON`);
      }
      const dataStart = 8 + len;
      const entries = new Map<string, SafetensorsEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, v] of Object.entries(header)) {
        if (name === "__metadata__") {
          metadata = (v ?? {}) as Record<string, string>;
          continue;
        }
        const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
        const dtype = DTYPES[e.dtype];
        if (dtype === undefined) {
          fail(
            `${path}: tensor "${name}" has dtype ${e.dtype}; only F32, F16 and BF16 are supported`,
          );
        }
        const count = e.shape.reduce((a, b) => a * b, 1);
        const [b, en] = e.data_offsets;
        if (en - b !== count * BYTES[dtype]) {
          fail(
            `${path}: tensor "${name}" spans ${en - b} bytes but shape [${e.shape}] in ${e.dtype} needs ${count * BYTES[dtype]}`,
          );
        }
        entries.set(name, {
          dtype,
          shape: e.shape.slice(),
          begin: dataStart + b,
          end: dataStart + en,
        });
      }
      return new SafetensorsFile(path, entries, metadata);
    } finally {
      closeSync(fd);
    }
  }

  /** Reads one tensor and converts it to f32. */
  read(name: string): Tensor {
    const e = this.entries.get(name);
    if (e === undefined) fail(`${this.path}: no tensor "${name}"`);
    const fd = openSync(this.path, "r");
    try {
      const bytes = readExact(fd, e.end - e.begin, e.begin, this.path);
      return { shape: e.shape.slice(), data: decode(bytes, e.dtype) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Reads rows (indices along the first axis) of one tensor, as f32 `[rows.length, …rest]`,
   * each by its own offset: a lookup table (Gemma 4's 4.7 GB per-layer embedding) is
   * gathered from disk a few rows at a time and never held whole.
   */
  readRows(name: string, rows: readonly number[]): Float32Array {
    const e = this.entries.get(name);
    if (e === undefined) fail(`${this.path}: no tensor "${name}"`);
    const width = e.shape.slice(1).reduce((a, b) => a * b, 1);
    const rowBytes = width * BYTES[e.dtype];
    const out = new Float32Array(rows.length * width);
    const fd = openSync(this.path, "r");
    try {
      rows.forEach((r, i) => {
        if (!Number.isInteger(r) || r < 0 || r >= e.shape[0])
          fail(`${this.path}: row ${r} of "${name}" is outside [0, ${e.shape[0]})`);
        const bytes = readExact(fd, rowBytes, e.begin + r * rowBytes, this.path);
        out.set(decode(bytes, e.dtype), i * width);
      });
    } finally {
      closeSync(fd);
    }
    return out;
  }
}

/** Converts little-endian raw bytes of `dtype` to f32 (typed-array views: x64 and arm64 are little-endian). */
export function decode(bytes: Buffer, dtype: StorageDtype): Float32Array {
  const n = bytes.length / BYTES[dtype];
  // Copy into a fresh, aligned buffer so the views below are always legal.
  const raw = new Uint8Array(bytes.length);
  raw.set(bytes);
  if (dtype === "f32") return new Float32Array(raw.buffer, 0, n);
  const halves = new Uint16Array(raw.buffer, 0, n);
  const out = new Float32Array(n);
  if (dtype === "bf16") {
    // bf16 is the top half of an f32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = halves[i] << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = f16ToF32(halves[i]);
  return out;
}

export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// One scratch word for single-value conversions (no allocation per value).
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

export function f32ToF16(x: number): number {
  scratchF32[0] = x;
  return f16Bits(scratchU32[0]);
}

/** f16 bits of the f32 whose bit pattern is `u` (round to nearest even). */
function f16Bits(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal: shift the full mantissa (with its implicit bit) and round to nearest even.
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // Round to nearest even; a carry into the exponent is correct (it may overflow to inf).
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  return sign | r;
}

export function f32ToBf16(x: number): number {
  scratchF32[0] = x;
  return bf16Bits(scratchU32[0]);
}

/** bf16 bits of the f32 whose bit pattern is `u` (round to nearest even; NaN stays NaN). */
function bf16Bits(u: number): number {
  if ((u & 0x7f800000) === 0x7f800000 && u & 0x7fffff) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes f32 values as `dtype` little-endian bytes. */
export function encode(data: Float32Array, dtype: StorageDtype): Buffer {
  if (dtype === "f32") return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const buf = Buffer.alloc(data.length * BYTES[dtype]);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const conv = dtype === "bf16" ? bf16Bits : f16Bits;
  // Whole-array views (a multi-GB random checkpoint is billions of values): ~100× faster
  // than a Buffer write per value. Typed arrays are host-endian, so only on little-endian hosts.
  if (LITTLE_ENDIAN) {
    const out = new Uint16Array(buf.buffer, buf.byteOffset, data.length);
    for (let i = 0; i < bits.length; i++) out[i] = conv(bits[i]);
  } else for (let i = 0; i < bits.length; i++) buf.writeUInt16LE(conv(bits[i]), 2 * i);
  return buf;
}

export interface NamedTensor extends Tensor {
  name: string;
}

/** Writes one safetensors file with every tensor in `dtype` (header padded to 8 bytes, as the Rust writer does). */
export function writeSafetensors(
  path: string,
  tensors: NamedTensor[],
  dtype: StorageDtype,
  metadata: Record<string, string> = { format: "pt" },
): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new SeigeError(
        "validation_error",
        `tensor "${t.name}": shape [${t.shape}] needs ${count} values, got ${t.data.length}`,
      );
    }
    const blob = encode(t.data, dtype);
    header[t.name] = {
      dtype: NAMES[dtype],
      shape: t.shape,
      data_offsets: [offset, offset + blob.length],
    };
    blobs.push(blob);
    offset += blob.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(path, Buffer.concat([len, Buffer.from(json, "utf8"), ...blobs]));
}

/** A checkpoint's tensors across one or several files, by raw (unstripped) name. */
export class SafetensorsSet {
  readonly files: SafetensorsFile[];
  private readonly where = new Map<string, SafetensorsFile>();

  constructor(files: SafetensorsFile[]) {
    this.files = files;
    for (const f of files) for (const name of f.entries.keys()) this.where.set(name, f);
  }

  /** Opens `model.safetensors.index.json` (sharded) or one `.safetensors` file. */
  static open(path: string): SafetensorsSet {
    if (!path.endsWith(".json")) return new SafetensorsSet([SafetensorsFile.open(path)]);
    if (!existsSync(path)) fail(`${path}: no such index file`);
    let index: { weight_map?: Record<string, string> };
    try {
      index = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      return fail(`${path}: not valid JSON`);
    }
    if (index.weight_map === undefined)
      fail(`${path}: no "weight_map"; is this a safetensors index?`);
    const shards = [...new Set(Object.values(index.weight_map))].sort();
    const files = shards.map((s) => {
      const shard = join(dirname(path), s);
      if (!existsSync(shard))
        fail(`${basename(path)} names shard "${s}", which is missing from ${dirname(path)}`);
      return SafetensorsFile.open(shard);
    });
    const set = new SafetensorsSet(files);
    for (const [name, shard] of Object.entries(index.weight_map)) {
      const f = set.where.get(name);
      if (f === undefined || basename(f.path) !== shard)
        fail(`${basename(path)}: tensor "${name}" is not in shard "${shard}"`);
    }
    return set;
  }

  names(): string[] {
    return [...this.where.keys()];
  }

  entry(name: string): SafetensorsEntry | undefined {
    return this.where.get(name)?.entries.get(name);
  }

  fileOf(name: string): string | undefined {
    return this.where.get(name)?.path;
  }

  read(name: string): Tensor {
    const f = this.where.get(name);
    if (f === undefined)
      fail(`no tensor "${name}" in ${this.files.map((x) => basename(x.path)).join(", ")}`);
    return f.read(name);
  }

  readRows(name: string, rows: readonly number[]): Float32Array {
    const f = this.where.get(name);
    if (f === undefined)
      fail(`no tensor "${name}" in ${this.files.map((x) => basename(x.path)).join(", ")}`);
    return f.readRows(name, rows);
  }
}
