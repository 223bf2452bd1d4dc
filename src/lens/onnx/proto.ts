/**
 * A hand-written protobuf encoder for the handful of ONNX messages a graph
 * needs: ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto (raw data or external data), ValueInfoProto/TypeProto/shape.
 * Field numbers are from onnx/onnx.proto3 (ONNX 1.17, IR version 8+).
 *
 * Why not a library (BACKEND.md §A2): `onnx-proto@8.0.1` pulls in protobufjs 6
 * (2020-era, nested copy) to encode eight message types, and `onnx-buf` is a young
 * single-maintainer package. Encoding is write-only and small enough to own:
 * varints, length-delimited fields and packed repeats. Large weight buffers are
 * never copied until the single final concatenation. Deliberately no decoder.
 */

/** A message under construction: a list of byte chunks and their total length. */
export class ProtoWriter {
  readonly parts: Uint8Array[] = [];
  length = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Unsigned varint for 0 ≤ n < 2^53; negative int64s take the 10-byte two's-complement form. */
  varint(n: number): void {
    if (!Number.isInteger(n)) throw new RangeError(`protobuf varint needs an integer, got ${n}`);
    const out: number[] = [];
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(n));
      while (v >= 0x80n) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      out.push(Number(v));
    } else {
      let v = n;
      while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      out.push(v);
    }
    this.push(Uint8Array.from(out));
  }

  int(field: number, n: number): void {
    this.tag(field, 0);
    this.varint(n);
  }

  float(field: number, x: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.push(b);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.push(data);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, child: ProtoWriter): void {
    this.tag(field, 2);
    this.varint(child.length);
    for (const p of child.parts) this.push(p);
  }

  packedInts(field: number, values: readonly number[]): void {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    this.message(field, inner);
  }

  packedFloats(field: number, values: readonly number[]): void {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
    this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type AttributeValue =
  | { type: "float"; value: number }
  | { type: "int"; value: number }
  | { type: "string"; value: string }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: number[] };

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface InitializerSpec {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  /** little-endian raw bytes; for external tensors, the location key ORT looks up in memory */
  raw?: Uint8Array;
  external?: { location: string; offset: number; length: number };
}

/** A dimension: a fixed size or a symbolic name ("batch", "seq"). */
export type Dim = number | string;

export interface ValueInfoSpec {
  name: string;
  elemType: DataTypeCode;
  shape: Dim[];
}

export interface ModelSpec {
  graphName: string;
  opset: number;
  /** extra operator sets, e.g. com.microsoft for MatMulNBits */
  domains?: { domain: string; version: number }[];
  nodes: NodeSpec[];
  initializers: InitializerSpec[];
  inputs: ValueInfoSpec[];
  outputs: ValueInfoSpec[];
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function encodeAttribute(name: string, a: AttributeValue): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name);
  switch (a.type) {
    case "float":
      w.float(2, a.value);
      break;
    case "int":
      w.int(3, a.value);
      break;
    case "string":
      w.string(4, a.value);
      break;
    case "floats":
      w.packedFloats(7, a.value);
      break;
    case "ints":
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTR_TYPE[a.type]);
  return w;
}

function encodeNode(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function encodeTensor(t: InitializerSpec): ProtoWriter {
  const w = new ProtoWriter();
  // dims is a packed repeated int64 in proto3
  w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  if (t.external) {
    for (const [k, v] of [
      ["location", t.external.location],
      ["offset", String(t.external.offset)],
      ["length", String(t.external.length)],
    ]) {
      const e = new ProtoWriter();
      e.string(1, k);
      e.string(2, v);
      w.message(13, e);
    }
    w.int(14, 1); // data_location = EXTERNAL
  } else {
    w.bytes(9, t.raw ?? new Uint8Array(0));
  }
  return w;
}

function encodeValueInfo(v: ValueInfoSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter();
  tensorType.int(1, v.elemType);
  tensorType.message(2, shape);
  const type = new ProtoWriter();
  type.message(1, tensorType);
  const w = new ProtoWriter();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

/** Serialises a whole ModelProto (IR version 8, default domain at `opset`). */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of spec.nodes) graph.message(1, encodeNode(n));
  graph.string(2, spec.graphName);
  for (const t of spec.initializers) graph.message(5, encodeTensor(t));
  for (const i of spec.inputs) graph.message(11, encodeValueInfo(i));
  for (const o of spec.outputs) graph.message(12, encodeValueInfo(o));

  const opset = new ProtoWriter();
  opset.string(1, "");
  opset.int(2, spec.opset);

  const model = new ProtoWriter();
  model.int(1, 8); // ir_version 8 (ONNX 1.10+): enough for opset 17
  model.string(2, "seige");
  model.message(8, opset);
  for (const d of spec.domains ?? []) {
    const extra = new ProtoWriter();
    extra.string(1, d.domain);
    extra.int(2, d.version);
    model.message(8, extra);
  }
  model.message(7, graph);
  return model.finish();
}
